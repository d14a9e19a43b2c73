namespace Recur.Cells;

// Read access to what the last Forward cached for backward, for inspection (Diagnostics.RecurrentActivations).
// Kept apart from the time loop: nothing here runs during training.
internal abstract partial class RecurrentCell
{
    private static readonly string[] LstmGates = ["i", "f", "g", "o"];
    private static readonly string[] GruGates = ["r", "z", "n"];

    /// <summary>
    /// The gate blocks of the G rows by PyTorch's letters, in row order: LSTM i, f, g, o; GRU r, z, n; none for the
    /// RNN, whose cache holds the pre-activation (its activation is h itself).
    /// </summary>
    public IReadOnlyList<string> GateLetters => this switch
    {
        LstmCell => LstmGates,
        GruCell => GruGates,
        _ => [],
    };

    /// <summary>T of the last Forward; 0 before the first.</summary>
    public int CachedSteps => Steps;

    /// <summary>B of the last Forward.</summary>
    public int CachedBatch => Batch;

    /// <summary>
    /// Copies h_t of the last Forward into <paramref name="destination"/>, (B, T, H); steps past a sequence's valid
    /// length get NaN (the cell only carried its state there).
    /// </summary>
    public void CopyHidden(Span<float> destination)
    {
        int h = HiddenSize;
        for (int b = 0; b < Batch; b++)
        {
            for (int t = 0; t < Steps; t++)
            {
                var row = destination.Slice((b * Steps + t) * h, h);
                if (IsPadded(t, b))
                {
                    row.Fill(float.NaN);
                }
                else
                {
                    HSeq.AsSpan(HOffset + (t * Batch + b) * HStride, h).CopyTo(row);
                }
            }
        }
    }

    /// <summary>
    /// Copies the activations of gate block <paramref name="block"/> (an index into <see cref="GateLetters"/>) of the
    /// last Forward into <paramref name="destination"/>, (B, T, H); NaN past a sequence's valid length.
    /// </summary>
    public void CopyGate(int block, Span<float> destination)
    {
        int h = HiddenSize;
        for (int b = 0; b < Batch; b++)
        {
            for (int t = 0; t < Steps; t++)
            {
                var row = destination.Slice((b * Steps + t) * h, h);
                if (IsPadded(t, b))
                {
                    row.Fill(float.NaN);
                }
                else
                {
                    Gates.AsSpan((t * Batch + b) * GateRows + block * h, h).CopyTo(row);
                }
            }
        }
    }

    /// <summary>
    /// Writes the LSTM's c_t of the last Forward into <paramref name="destination"/>, (B, T, H); NaN past a
    /// sequence's valid length. The LSTM keeps its c sequence private to its kernels, so it is rebuilt here from the
    /// cached gates and c_0 exactly as the kernels form it, c_t = fma(f_t, c_{t-1}, i_t·g_t) in float: the same bits.
    /// </summary>
    public void CopyCell(Span<float> destination)
    {
        if (!HasCellState)
        {
            throw new InvalidOperationException($"{GetType().Name} has no cell state.");
        }

        int h = HiddenSize;
        var c = new float[h];
        for (int b = 0; b < Batch; b++)
        {
            C0.AsSpan(b * h, h).CopyTo(c);
            for (int s = 0; s < Steps; s++)
            {
                int t = Reverse ? Steps - 1 - s : s;
                var row = destination.Slice((b * Steps + t) * h, h);
                if (IsPadded(t, b))
                {
                    row.Fill(float.NaN); // c is carried unchanged
                    continue;
                }

                var gates = Gates.AsSpan((t * Batch + b) * GateRows, GateRows);
                for (int j = 0; j < h; j++)
                {
                    c[j] = MathF.FusedMultiplyAdd(gates[h + j], c[j], gates[j] * gates[2 * h + j]);
                }

                c.CopyTo(row);
            }
        }
    }
}
