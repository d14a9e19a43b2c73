using Recur.Cells;

namespace Recur.Layers;

/// <summary>
/// A multi-layer LSTM, as <c>torch.nn.LSTM</c> (without projections):
/// <code>
/// i_t = σ(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)      f_t = σ(W_if x_t + b_if + W_hf h_{t-1} + b_hf)
/// g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)   o_t = σ(W_io x_t + b_io + W_ho h_{t-1} + b_ho)
/// c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t                     h_t = o_t ⊙ tanh(c_t)
/// </code>
/// Parameters per layer l and direction: <c>weight_ih_l{l}</c> (4H, I or D·H), <c>weight_hh_l{l}</c> (4H, H),
/// <c>bias_ih_l{l}</c>, <c>bias_hh_l{l}</c> (4H), gate rows i|f|g|o; <c>_reverse</c> for the backward direction.
/// The state is (h, c). See <see cref="RecurrentLayer"/> for shapes.
/// </summary>
public sealed class Lstm(
    int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false,
    float dropout = 0f, bool bidirectional = false, ulong seed = 0)
    : RecurrentLayer(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, seed,
        (inSize, suffix) => new LstmCell(inSize, hiddenSize, bias, suffix));
