using Recur.Tensors;

namespace Recur.Data;

/// <summary>
/// One-hot encoding of token ids: id k becomes a row of V zeros with a 1 at k. Ids (N) give (N, V); ids (B, T) give
/// (B, T, V). Every id is checked to lie in 0 .. V-1, since an out-of-range id would otherwise write into the
/// neighbouring row.
/// </summary>
public static class OneHot
{
    /// <summary>Ids (N) → (N, V).</summary>
    public static Tensor Encode(ReadOnlySpan<int> ids, int vocabularySize)
    {
        var result = new Tensor(ids.Length, vocabularySize);
        EncodeInto(ids, vocabularySize, result.Span);
        return result;
    }

    /// <summary>Ids (B·T, row-major) → (B, T, V).</summary>
    public static Tensor Encode(ReadOnlySpan<int> ids, int batch, int time, int vocabularySize)
    {
        if (ids.Length != batch * time)
        {
            throw new ArgumentException($"Expected B·T = {batch}·{time} = {batch * time} ids, got {ids.Length}.", nameof(ids));
        }

        var result = new Tensor(batch, time, vocabularySize);
        EncodeInto(ids, vocabularySize, result.Span);
        return result;
    }

    /// <summary>
    /// Ids held as floats, (N) or (B, T) (as in a padded batch's float view) → (…, V). Each value must be a whole number.
    /// </summary>
    public static Tensor Encode(Tensor ids, int vocabularySize)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Rank is not (1 or 2))
        {
            throw new ArgumentException($"ids: expected (N) or (B, T), got {ids.ShapeText}.", nameof(ids));
        }

        var values = ids.Span;
        var whole = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            whole[i] = (int)values[i];
            if (whole[i] != values[i])
            {
                throw new ArgumentException($"ids: element {i} is {values[i]}, not a whole number.", nameof(ids));
            }
        }

        return ids.Rank == 1 ? Encode(whole, vocabularySize) : Encode(whole, ids.Dim(0), ids.Dim(1), vocabularySize);
    }

    /// <summary>
    /// Writes the one-hot rows of <paramref name="ids"/> into <paramref name="destination"/> (ids.Length · V floats),
    /// overwriting it: the allocation-free form for reused batch buffers.
    /// </summary>
    public static void EncodeInto(ReadOnlySpan<int> ids, int vocabularySize, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabularySize);
        if (destination.Length != (long)ids.Length * vocabularySize)
        {
            throw new ArgumentException(
                $"destination: expected {ids.Length}·{vocabularySize} = {(long)ids.Length * vocabularySize} floats, got {destination.Length}.",
                nameof(destination));
        }

        destination.Clear();
        for (int i = 0; i < ids.Length; i++)
        {
            if ((uint)ids[i] >= (uint)vocabularySize)
            {
                throw new ArgumentOutOfRangeException(nameof(ids),
                    $"ids: element {i} is {ids[i]}, outside 0 .. {vocabularySize - 1} for a vocabulary of {vocabularySize}.");
            }

            destination[i * vocabularySize + ids[i]] = 1f;
        }
    }
}
