using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// The state of a recurrent layer: hidden state h, and for the LSTM the cell state c, each (L·D, B, H) with the
/// row for layer l and direction d at index l·D + d (PyTorch's <c>h_0</c>/<c>h_n</c> layout).
/// </summary>
/// <param name="Hidden">h, (L·D, B, H).</param>
/// <param name="Cell">c, (L·D, B, H): required by the LSTM, absent for the RNN and GRU.</param>
public sealed record RecurrentState(Tensor Hidden, Tensor? Cell = null);

/// <summary>
/// What <see cref="RecurrentLayer.Forward(Tensor, RecurrentState?, ReadOnlySpan{int})"/> returns. The tensors are views of the layer's own buffers, valid until
/// its next Forward: <see cref="Tensor.Clone"/> what must outlive that.
/// </summary>
public sealed class RecurrentOutput
{
    internal RecurrentOutput()
    {
    }

    /// <summary>The top layer's h_t for every t: (T, B, D·H), or (B, T, D·H) when batch-first; directions concatenated.</summary>
    public Tensor Output { get; internal set; } = null!;

    /// <summary>Final states h_n (and c_n for the LSTM), (L·D, B, H).</summary>
    public RecurrentState FinalState { get; internal set; } = null!;
}

/// <summary>
/// What <see cref="RecurrentLayer.Backward(Tensor, RecurrentState?)"/> returns: the gradients with respect to the inputs of the last
/// Forward. Views of the layer's own buffers, valid until its next Backward.
/// </summary>
public sealed class RecurrentGradients
{
    internal RecurrentGradients()
    {
    }

    /// <summary>∂L/∂input, the input's shape.</summary>
    public Tensor Input { get; internal set; } = null!;

    /// <summary>∂L/∂h_0 (and ∂L/∂c_0), (L·D, B, H); the gradient for a zero initial state when none was given.</summary>
    public RecurrentState InitialState { get; internal set; } = null!;
}
