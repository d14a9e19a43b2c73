using Recur.Cells;

namespace Recur.Layers;

/// <summary>The nonlinearity of an Elman <see cref="Rnn"/>.</summary>
public enum RnnNonlinearity
{
    /// <summary>h_t = tanh(·), PyTorch's default.</summary>
    Tanh,

    /// <summary>h_t = max(0, ·); with identity initialisation of W_hh this is the IRNN.</summary>
    Relu,
}

/// <summary>
/// A multi-layer Elman RNN, as <c>torch.nn.RNN</c>: <c>h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)</c>, act tanh
/// or ReLU. Parameters per layer l and direction: <c>weight_ih_l{l}</c> (H, I or D·H), <c>weight_hh_l{l}</c> (H, H),
/// <c>bias_ih_l{l}</c>, <c>bias_hh_l{l}</c> (H). See <see cref="RecurrentLayer"/> for shapes.
/// </summary>
public sealed class Rnn(
    int inputSize, int hiddenSize, int numLayers = 1, RnnNonlinearity nonlinearity = RnnNonlinearity.Tanh,
    bool bias = true, bool batchFirst = false, float dropout = 0f, bool bidirectional = false, ulong seed = 0)
    : RecurrentLayer(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, seed,
        (inSize, suffix) => new RnnCell(inSize, hiddenSize, bias, CheckNonlinearity(nonlinearity) == RnnNonlinearity.Relu, suffix))
{
    /// <summary>tanh or ReLU.</summary>
    public RnnNonlinearity Nonlinearity { get; } = nonlinearity;

    private protected override void AddConfig(System.Text.Json.Nodes.JsonObject config) =>
        config["nonlinearity"] = Nonlinearity == RnnNonlinearity.Relu ? "relu" : "tanh";

    private static RnnNonlinearity CheckNonlinearity(RnnNonlinearity nonlinearity) =>
        Enum.IsDefined(nonlinearity)
            ? nonlinearity
            : throw new ArgumentOutOfRangeException(nameof(nonlinearity), nonlinearity, "nonlinearity: expected Tanh or Relu.");
}
