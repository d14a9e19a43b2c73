using Recur.Cells;

namespace Recur.Layers;

/// <summary>
/// A multi-layer GRU, as <c>torch.nn.GRU</c>:
/// <code>
/// r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)      z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)
/// n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))
/// h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}
/// </code>
/// As in PyTorch, r multiplies <c>W_hn h + b_hn</c> (the original paper applies r to h before the product).
/// Parameters per layer l and direction: <c>weight_ih_l{l}</c> (3H, I or D·H), <c>weight_hh_l{l}</c> (3H, H),
/// <c>bias_ih_l{l}</c>, <c>bias_hh_l{l}</c> (3H), gate rows r|z|n. See <see cref="RecurrentLayer"/> for shapes.
/// </summary>
public sealed class Gru(
    int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false,
    float dropout = 0f, bool bidirectional = false, ulong seed = 0)
    : RecurrentLayer(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, seed,
        (inSize, suffix) => new GruCell(inSize, hiddenSize, bias, suffix));
