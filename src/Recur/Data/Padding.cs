using Recur.Tensors;

namespace Recur.Data;

/// <summary>Which end of a sequence padding is added to, or tokens are cut from.</summary>
public enum PadSide
{
    /// <summary>At the end: tokens keep their positions from step 0 (what length-aware recurrent layers expect).</summary>
    Post,

    /// <summary>At the start: the last token sits at the last step (Keras' default; suits a layer that reads its final state without lengths).</summary>
    Pre,
}

/// <summary>How <see cref="Padding"/> lays out sequences of different lengths in a (B, T) block.</summary>
public sealed record PaddingOptions
{
    /// <summary>T, the padded length; longer sequences are truncated. Null: the longest sequence's length.</summary>
    public int? MaxLength { get; init; }

    /// <summary>Where padding goes.</summary>
    public PadSide Padding { get; init; } = PadSide.Post;

    /// <summary>Which end loses tokens when a sequence is longer than <see cref="MaxLength"/>.</summary>
    public PadSide Truncating { get; init; } = PadSide.Post;

    /// <summary>The id written into padded steps.</summary>
    public int PadId { get; init; } = Vocabulary.PadId;
}

/// <summary>Id sequences padded to one length: <see cref="Ids"/> is (B, T) row-major, <see cref="Lengths"/> (B).</summary>
public sealed class PaddedSequences
{
    internal PaddedSequences(int[] ids, int[] lengths, int batch, int time)
    {
        Ids = ids;
        Lengths = lengths;
        BatchSize = batch;
        Length = time;
    }

    /// <summary>B, the number of sequences.</summary>
    public int BatchSize { get; }

    /// <summary>T, the padded length.</summary>
    public int Length { get; }

    /// <summary>(B, T) ids, row-major: sequence b's step t is at b·T + t.</summary>
    public int[] Ids { get; }

    /// <summary>(B) number of real (not padding) tokens in each row, after truncation.</summary>
    public int[] Lengths { get; }

    /// <summary>The id at sequence <paramref name="b"/>, step <paramref name="t"/>.</summary>
    public int this[int b, int t] => (uint)b < (uint)BatchSize && (uint)t < (uint)Length
        ? Ids[b * Length + t]
        : throw new ArgumentOutOfRangeException(nameof(b), $"({b}, {t}) is outside ({BatchSize}, {Length}).");

    /// <summary>The ids as a (B, T) float tensor (for an embedding layer or <see cref="OneHot"/>).</summary>
    public Tensor ToTensor()
    {
        var tensor = new Tensor(BatchSize, Length);
        Padding.CopyIds(Ids, tensor.Span);
        return tensor;
    }
}

/// <summary>Pads (and truncates) id sequences into a (B, T) block, as Keras' pad_sequences.</summary>
public static class Padding
{
    /// <summary>Pads <paramref name="sequences"/> to a (B, T) block; T is the longest length unless options set it.</summary>
    public static PaddedSequences Pad(IReadOnlyList<int[]> sequences, PaddingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        options ??= new PaddingOptions();
        int time = options.MaxLength ?? sequences.Select(s => s?.Length ?? 0).DefaultIfEmpty(0).Max();
        var ids = new int[sequences.Count * time];
        var lengths = new int[sequences.Count];
        for (int b = 0; b < sequences.Count; b++)
        {
            lengths[b] = PadInto(sequences[b], ids.AsSpan(b * time, time), options);
        }

        return new PaddedSequences(ids, lengths, sequences.Count, time);
    }

    /// <summary>
    /// Writes one sequence into a row of T = <paramref name="row"/>.Length ids, padding or truncating per
    /// <paramref name="options"/> (its MaxLength is ignored: the row's length rules), and returns the number of
    /// real tokens written. The allocation-free form for reused batch buffers.
    /// </summary>
    public static int PadInto(ReadOnlySpan<int> sequence, Span<int> row, PaddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int time = row.Length;
        int length = Math.Min(sequence.Length, time);
        var kept = options.Truncating == PadSide.Pre ? sequence[^length..] : sequence[..length];
        row.Fill(options.PadId);
        kept.CopyTo(options.Padding == PadSide.Pre ? row[(time - length)..] : row);
        return length;
    }

    internal static void CopyIds(ReadOnlySpan<int> ids, Span<float> destination)
    {
        for (int i = 0; i < ids.Length; i++)
        {
            destination[i] = ids[i];
        }
    }
}
