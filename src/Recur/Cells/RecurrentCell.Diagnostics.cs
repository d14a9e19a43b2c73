using Recur.Diagnostics;

namespace Recur.Cells;

// Gradient-flow recording, kept apart from the time loop: Backward calls RecordStep only when a trace is attached.
internal abstract partial class RecurrentCell
{
    /// <summary>Where <see cref="Backward"/> records the gradient flow; null (the default) records nothing.</summary>
    public RecurrentTrace? Trace { get; set; }

    /// <summary>Names of the sigmoid gates a trace records, matching <see cref="TracedGateBlocks"/>.</summary>
    public virtual IReadOnlyList<string> TracedGateNames => [];

    /// <summary>The block index in the G gate rows of each traced gate.</summary>
    protected virtual ReadOnlySpan<int> TracedGateBlocks => [];

    /// <summary>
    /// The part of ‖∂L/∂c_t‖² at step t (B rows), for cells with a cell state; called before the step's kernel, with
    /// <see cref="DcNext"/> holding the gradient from the next step.
    /// </summary>
    protected virtual double CellGradientSumSquares(int t, float[] dOut, int dOutOffset, int dOutStride) => 0;

    /// <summary>The total gradient reaching h_t for row b, unit j, as the step kernel forms it: dOut_t + DhNext.</summary>
    protected float HiddenGradient(int t, int b, int j, float[] dOut, int dOutOffset, int dOutStride)
    {
        float fromNext = DhNext[b * HiddenSize + j];
        // A padded row's output is not part of the result (the layer shows zeros): only its carried state counts.
        return IsPadded(t, b) ? fromNext : fromNext + dOut[dOutOffset + (t * Batch + b) * dOutStride + j];
    }

    /// <summary>Records step t into the trace: gradient norms (Frobenius over the (B, H) block) and gate statistics.</summary>
    private void RecordStep(RecurrentTrace trace, int t, float[] dOut, int dOutOffset, int dOutStride)
    {
        int h = HiddenSize;
        double sum = 0;
        for (int b = 0; b < Batch; b++)
        {
            for (int j = 0; j < h; j++)
            {
                double g = HiddenGradient(t, b, j, dOut, dOutOffset, dOutStride);
                sum += g * g;
            }
        }

        trace.SetHidden(t, Math.Sqrt(sum));
        if (HasCellState)
        {
            trace.SetCell(t, Math.Sqrt(CellGradientSumSquares(t, dOut, dOutOffset, dOutStride)));
        }

        var blocks = TracedGateBlocks;
        for (int k = 0; k < blocks.Length; k++)
        {
            RecordGate(trace, k, t, blocks[k] * h);
        }
    }

    private void RecordGate(RecurrentTrace trace, int gate, int t, int column)
    {
        double sum = 0;
        int saturated = 0, count = 0;
        for (int b = 0; b < Batch; b++)
        {
            if (IsPadded(t, b))
            {
                continue; // its gates were computed but not used
            }

            var values = Gates.AsSpan((t * Batch + b) * GateRows + column, HiddenSize);
            foreach (float v in values)
            {
                sum += v;
                saturated += v < RecurrentTrace.SaturationMargin || v > 1f - RecurrentTrace.SaturationMargin ? 1 : 0;
            }

            count += values.Length;
        }

        trace.SetGate(gate, t, count == 0 ? float.NaN : (float)(sum / count), count == 0 ? float.NaN : (float)saturated / count);
    }
}
