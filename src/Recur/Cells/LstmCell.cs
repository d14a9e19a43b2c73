using Recur.Kernels;

namespace Recur.Cells;

/// <summary>
/// Long short-term memory, as <c>torch.nn.LSTM</c> (gate rows i|f|g|o, G = 4H):
/// <code>
/// i_t = σ(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)
/// f_t = σ(W_if x_t + b_if + W_hf h_{t-1} + b_hf)
/// g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)
/// o_t = σ(W_io x_t + b_io + W_ho h_{t-1} + b_ho)
/// c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
/// h_t = o_t ⊙ tanh(c_t)
/// </code>
/// Caches per step: the four activations (in Gates), c_t and tanh(c_t).
/// </summary>
internal sealed class LstmCell(int inputSize, int hiddenSize, bool bias, string suffix)
    : RecurrentCell(inputSize, hiddenSize, 4, bias, suffix)
{
    private float[] _c = [];     // (T, B, H)
    private float[] _tanhC = []; // (T, B, H)

    public override bool HasCellState => true;

    public override ReadOnlySpan<float> FinalCell => CellAt(Reverse ? 0 : Steps - 1);

    protected override float[] CellSequence => _c;

    protected override void StepForward(int t, int tPrev)
    {
        if (UseFusedStep)
        {
            RunFusedStep(t, tPrev);
            return;
        }

        int bg = Batch * GateRows;
        var hPrev = HiddenAt(tPrev, out int hPrevStride);
        Gemm.Multiply(hPrev, hPrevStride, false, HhTransposed, Batch, Gates.AsSpan(t * bg, bg), GateRows, accumulate: true);
        RunGatesForward(t, tPrev);
    }

    protected override void GatesForward(int t, int tPrev, int b0, int rows, int j0, int j1)
    {
        int bh = Batch * HiddenSize, g0 = (t * Batch + b0) * GateRows, s0 = t * bh + b0 * HiddenSize, n = rows * HiddenSize;
        GateKernels.LstmForward(
            Gates.AsSpan(g0, rows * GateRows), FoldedBias, CellAt(tPrev).Slice(b0 * HiddenSize, n), _c.AsSpan(s0, n), _tanhC.AsSpan(s0, n),
            HSeq.AsSpan(HOffset + (t * Batch + b0) * HStride), HStride, rows, HiddenSize, j0, j1);
    }

    protected override void GatesBackward(int t, int tPrev, int b0, int rows, int j0, int j1, float[] dOut, int dOutOffset, int dOutStride)
    {
        int bh = Batch * HiddenSize, g0 = (t * Batch + b0) * GateRows, n = rows * HiddenSize;
        GateKernels.LstmBackward(
            Gates.AsSpan(g0, rows * GateRows), CellAt(tPrev).Slice(b0 * HiddenSize, n), _tanhC.AsSpan(t * bh + b0 * HiddenSize, n),
            dOut.AsSpan(dOutOffset + (t * Batch + b0) * dOutStride), dOutStride,
            DhNext.AsSpan(b0 * HiddenSize, n), DcNext.AsSpan(b0 * HiddenSize, n), DGates.AsSpan(g0, rows * GateRows), rows, HiddenSize, j0, j1);
    }

    private static readonly string[] GateNames = ["input", "forget", "output"];
    private static readonly int[] GateBlocks = [0, 1, 3];

    public override IReadOnlyList<string> TracedGateNames => GateNames;

    protected override ReadOnlySpan<int> TracedGateBlocks => GateBlocks;

    protected override double CellGradientSumSquares(int t, float[] dOut, int dOutOffset, int dOutStride)
    {
        // dc_t = dc from step t+1 + dh_t·o_t·(1 - tanh²(c_t)), as LstmBackward forms it; a padded row only carries c.
        int h = HiddenSize, bh = Batch * h;
        double sum = 0;
        for (int b = 0; b < Batch; b++)
        {
            bool padded = IsPadded(t, b);
            for (int j = 0; j < h; j++)
            {
                float dc = DcNext[b * h + j];
                if (!padded)
                {
                    float o = Gates[(t * Batch + b) * GateRows + 3 * h + j], tc = _tanhC[t * bh + b * h + j];
                    dc += HiddenGradient(t, b, j, dOut, dOutOffset, dOutStride) * o * (1f - tc * tc);
                }

                sum += (double)dc * dc;
            }
        }

        return sum;
    }

    protected override void CarryPaddedRows(int t, int tPrev)
    {
        base.CarryPaddedRows(t, tPrev);
        int bh = Batch * HiddenSize;
        var cPrev = CellAt(tPrev);
        for (int b = 0; b < Batch; b++)
        {
            if (IsPadded(t, b))
            {
                cPrev.Slice(b * HiddenSize, HiddenSize).CopyTo(_c.AsSpan(t * bh + b * HiddenSize, HiddenSize));
            }
        }
    }

    protected override void EnsureCapacity(int steps, int batch)
    {
        base.EnsureCapacity(steps, batch);
        _c = Grow(_c, steps * batch * HiddenSize);
        _tanhC = Grow(_tanhC, steps * batch * HiddenSize);
    }

    protected override bool HasFusedStep => true;

    protected override unsafe void FusedForward(int t, int tPrev, int j0, int j1)
    {
        int h = HiddenSize;
        float* pw = FusedHh;
        fixed (float* pBias = FoldedBias)
        fixed (float* ph = HiddenAt(tPrev, out _))
        fixed (float* pGates = &Gates[t * GateRows])
        fixed (float* pcPrev = CellAt(tPrev))
        fixed (float* pc = &_c[t * h])
        fixed (float* ptc = &_tanhC[t * h])
        fixed (float* pOut = &HSeq[HOffset + t * HStride])
        {
            FusedStep.Lstm(pw, pBias, ph, pGates, pcPrev, pc, ptc, pOut, h, j0, j1);
        }
    }

    private ReadOnlySpan<float> CellAt(int t)
    {
        int bh = Batch * HiddenSize;
        return t < 0 ? C0.AsSpan(0, bh) : _c.AsSpan(t * bh, bh);
    }
}
