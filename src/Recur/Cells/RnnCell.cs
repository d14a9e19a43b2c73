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
        var pre = Gates.AsSpan(t * bg, bg);
        var hPrev = HiddenAt(tPrev, out int hPrevStride);
        Gemm.Multiply(hPrev, hPrevStride, false, HhTransposed, Batch, pre, GateRows, accumulate: true);
        GateKernels.RnnForward(pre, Relu, HSeq.AsSpan(HOffset + t * Batch * HStride), HStride, Batch, HiddenSize);
    }

    protected override void StepBackward(int t, int tPrev, float[] dOut, int dOutOffset, int dOutStride)
    {
        int bg = Batch * GateRows, bh = Batch * HiddenSize;
        GateKernels.RnnBackward(
            HSeq.AsSpan(HOffset + t * Batch * HStride), HStride, Relu,
            dOut.AsSpan(dOutOffset + t * Batch * dOutStride), dOutStride, DhNext.AsSpan(0, bh), DGates.AsSpan(t * bg, bg), Batch, HiddenSize);
    }
}
