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
    public void CopyHidden(Span<float> destination) => CopySteps(destination, HSeq, HOffset, HStride);

    /// <summary>
    /// Copies the activations of gate block <paramref name="block"/> (an index into <see cref="GateLetters"/>) of the
    /// last Forward into <paramref name="destination"/>, (B, T, H); NaN past a sequence's valid length.
    /// </summary>
    public void CopyGate(int block, Span<float> destination) => CopySteps(destination, Gates, block * HiddenSize, GateRows);

    /// <summary>Copies the LSTM's c_t of the last Forward into <paramref name="destination"/>, (B, T, H); NaN past a sequence's valid length.</summary>
    public void CopyCell(Span<float> destination) => CopySteps(destination, CellSequence, 0, HiddenSize);

    /// <summary>(T, B, H): c_t of the last Forward, for cells with <see cref="HasCellState"/>.</summary>
    protected virtual float[] CellSequence => throw new InvalidOperationException($"{GetType().Name} has no cell state.");

    // The H values of row (t, b) start at offset + (t·B + b)·stride in source; destination is (B, T, H).
    private void CopySteps(Span<float> destination, float[] source, int offset, int stride)
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
                    source.AsSpan(offset + (t * Batch + b) * stride, h).CopyTo(row);
                }
            }
        }
    }
}
