using Recur.Kernels;

namespace Recur.Cells;

/// <summary>
/// Elman RNN, as <c>torch.nn.RNN</c> (G = H): <c>h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)</c> with
/// act = tanh or ReLU. The backward pass needs only h_t itself (tanh' = 1 - h², relu' = [h > 0]).
/// </summary>
internal sealed class RnnCell(int inputSize, int hiddenSize, bool bias, bool relu, string suffix)
    : RecurrentCell(inputSize, hiddenSize, 1, bias, suffix)
{
    public bool Relu { get; } = relu;

    protected override void StepForward(int t, int tPrev)
    {
        int bg = Batch * GateRows;
        var hPrev = HiddenAt(tPrev, out int hPrevStride);
        Gemm.Multiply(hPrev, hPrevStride, false, HhTransposed, Batch, Gates.AsSpan(t * bg, bg), GateRows, accumulate: true);
        RunGatesForward(t, tPrev);
    }

    protected override void GatesForward(int t, int tPrev, int b0, int rows, int j0, int j1)
    {
        GateKernels.RnnForward(
            Gates.AsSpan((t * Batch + b0) * GateRows, rows * GateRows), FoldedBias, Relu,
            HSeq.AsSpan(HOffset + (t * Batch + b0) * HStride), HStride, rows, HiddenSize, j0, j1);
    }

    protected override void GatesBackward(int t, int tPrev, int b0, int rows, int j0, int j1, float[] dOut, int dOutOffset, int dOutStride)
    {
        int n = rows * HiddenSize;
        GateKernels.RnnBackward(
            HSeq.AsSpan(HOffset + (t * Batch + b0) * HStride), HStride, Relu,
            dOut.AsSpan(dOutOffset + (t * Batch + b0) * dOutStride), dOutStride, DhNext.AsSpan(b0 * HiddenSize, n),
            DGates.AsSpan((t * Batch + b0) * GateRows, rows * GateRows), rows, HiddenSize, j0, j1);
    }
}
