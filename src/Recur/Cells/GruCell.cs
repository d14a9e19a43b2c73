using Recur.Kernels;

namespace Recur.Cells;

/// <summary>
/// Gated recurrent unit, as <c>torch.nn.GRU</c> (gate rows r|z|n, G = 3H):
/// <code>
/// r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)
/// z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)
/// n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))
/// h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}
/// </code>
/// As in PyTorch (and cuDNN), r multiplies <c>W_hn h + b_hn</c>, not h before the product as in the original paper.
/// Caches per step: r, z, n (in Gates) and W_hn h_{t-1} + b_hn.
/// </summary>
internal sealed class GruCell(int inputSize, int hiddenSize, bool bias, string suffix)
    : RecurrentCell(inputSize, hiddenSize, 3, bias, suffix)
{
    private float[] _hh = [];  // (B, 3H): h_{t-1}·W_hhᵀ of the current step
    private float[] _hn = [];  // (T, B, H): W_hn h_{t-1} + b_hn
    private float[] _dHh = []; // (T, B, 3H): gradients of the hidden-side pre-activations [dr, dz, dn·r]

    private static readonly string[] GateNames = ["reset", "update"];
    private static readonly int[] GateBlocks = [0, 1];

    protected override float[] HiddenSideGradients => _dHh;

    public override IReadOnlyList<string> TracedGateNames => GateNames;

    protected override ReadOnlySpan<int> TracedGateBlocks => GateBlocks;

    protected override void FoldInputBias(Span<float> destination)
    {
        // b_hn cannot join: r multiplies it.
        int h2 = 2 * HiddenSize;
        BiasIh!.Value.Span.CopyTo(destination);
        System.Numerics.Tensors.TensorPrimitives.Add(destination[..h2], BiasHh!.Value.Span[..h2], destination[..h2]);
    }

    protected override void StepForward(int t, int tPrev)
    {
        if (UseFusedStep)
        {
            RunFusedStep(t, tPrev);
            return;
        }

        var hPrev = HiddenAt(tPrev, out int hPrevStride);
        Gemm.Multiply(hPrev, hPrevStride, false, HhTransposed, Batch, _hh.AsSpan(0, Batch * GateRows), GateRows, accumulate: false);
        RunGatesForward(t, tPrev);
    }

    protected override void GatesForward(int t, int tPrev, int b0, int rows, int j0, int j1)
    {
        int g0 = (t * Batch + b0) * GateRows, n = rows * HiddenSize;
        var hPrev = HiddenAt(tPrev, out int hPrevStride);
        var biasHn = BiasHh is null ? default : BiasHh.Value.Span.Slice(2 * HiddenSize, HiddenSize);
        GateKernels.GruForward(
            Gates.AsSpan(g0, rows * GateRows), FoldedBias, _hh.AsSpan(b0 * GateRows, rows * GateRows), biasHn, hPrev[(b0 * hPrevStride)..], hPrevStride,
            _hn.AsSpan((t * Batch + b0) * HiddenSize, n), HSeq.AsSpan(HOffset + (t * Batch + b0) * HStride), HStride, rows, HiddenSize, j0, j1);
    }

    protected override void GatesBackward(int t, int tPrev, int b0, int rows, int j0, int j1, float[] dOut, int dOutOffset, int dOutStride)
    {
        int g0 = (t * Batch + b0) * GateRows, n = rows * HiddenSize;
        var hPrev = HiddenAt(tPrev, out int hPrevStride);
        GateKernels.GruBackward(
            Gates.AsSpan(g0, rows * GateRows), _hn.AsSpan((t * Batch + b0) * HiddenSize, n), hPrev[(b0 * hPrevStride)..], hPrevStride,
            dOut.AsSpan(dOutOffset + (t * Batch + b0) * dOutStride), dOutStride, DhNext.AsSpan(b0 * HiddenSize, n),
            DGates.AsSpan(g0, rows * GateRows), _dHh.AsSpan(g0, rows * GateRows), rows, HiddenSize, j0, j1);
    }

    protected override bool HasFusedStep => true;

    protected override unsafe void FusedForward(int t, int tPrev, int j0, int j1)
    {
        int h = HiddenSize;
        float* pw = FusedHh;
        fixed (float* pBias = FoldedBias)
        fixed (float* pb = BiasHh is null ? default : BiasHh.Value.Span.Slice(2 * h, h))
        fixed (float* ph = HiddenAt(tPrev, out _))
        fixed (float* pGates = &Gates[t * GateRows])
        fixed (float* phn = &_hn[t * h])
        fixed (float* pOut = &HSeq[HOffset + t * HStride])
        {
            FusedStep.Gru(pw, pBias, pb, ph, pGates, phn, pOut, h, j0, j1);
        }
    }

    protected override void EnsureCapacity(int steps, int batch)
    {
        base.EnsureCapacity(steps, batch);
        _hh = Grow(_hh, batch * GateRows);
        _hn = Grow(_hn, steps * batch * HiddenSize);
        _dHh = Grow(_dHh, steps * batch * GateRows);
    }
}
