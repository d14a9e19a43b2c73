using Recur.Tensors;

namespace Recur.Data;

/// <summary>The three parts of a series split in time order; each is a view (not a copy) of the series' rows.</summary>
/// <param name="Train">The first rows (T_train, …).</param>
/// <param name="Validation">The rows after them (T_val, …).</param>
/// <param name="Test">The last rows (T_test, …).</param>
public sealed record SeriesSplit(Tensor Train, Tensor Validation, Tensor Test);

/// <summary>Sample indices of a train / validation / test split; together they hold every index once.</summary>
/// <param name="Train">Indices of the training samples.</param>
/// <param name="Validation">Indices of the validation samples.</param>
/// <param name="Test">Indices of the test samples.</param>
public sealed record IndexSplit(int[] Train, int[] Validation, int[] Test);

/// <summary>
/// Train / validation / test splits. A series is split in time order, never shuffled: a model validated on the past
/// of its training data would look better than it is. Independent samples (sentences, names) are shuffled with a
/// seed, optionally keeping each label's share equal in every part (stratified).
/// Fractions are rounded to the nearest count; the test part gets the rest.
/// </summary>
public static class Splits
{
    /// <summary>Splits the rows of <paramref name="series"/> (T, …) by fractions; test gets the last 1 - train - validation.</summary>
    public static SeriesSplit Chronological(Tensor series, double trainFraction, double validationFraction)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Rank == 0)
        {
            throw new ArgumentException("series: expected a tensor (T, …) with a time axis, got a scalar.", nameof(series));
        }

        var (train, validation) = Counts(series.Dim(0), trainFraction, validationFraction);
        return Chronological(series, train, validation);
    }

    /// <summary>Splits the rows of <paramref name="series"/> (T, …): the first <paramref name="trainCount"/>, the next <paramref name="validationCount"/>, then the rest.</summary>
    public static SeriesSplit Chronological(Tensor series, int trainCount, int validationCount)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Rank == 0)
        {
            throw new ArgumentException("series: expected a tensor (T, …) with a time axis, got a scalar.", nameof(series));
        }

        int t = series.Dim(0);
        ArgumentOutOfRangeException.ThrowIfNegative(trainCount);
        ArgumentOutOfRangeException.ThrowIfNegative(validationCount);
        if (trainCount + validationCount > t)
        {
            throw new ArgumentException(
                $"Train {trainCount} + validation {validationCount} rows exceed the series' {t} rows.", nameof(validationCount));
        }

        return new SeriesSplit(
            series.Slice(0, trainCount),
            series.Slice(trainCount, validationCount),
            series.Slice(trainCount + validationCount, t - trainCount - validationCount));
    }

    /// <summary>Shuffles 0 .. <paramref name="count"/>-1 with <paramref name="seed"/> and splits them by fractions.</summary>
    public static IndexSplit Shuffled(int count, double trainFraction, double validationFraction, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var (train, validation) = Counts(count, trainFraction, validationFraction);
        var order = Enumerable.Range(0, count).ToArray();
        Shuffle(order, new Rng(seed));
        return new IndexSplit(order[..train], order[train..(train + validation)], order[(train + validation)..]);
    }

    /// <summary>
    /// Like <see cref="Shuffled"/>, but each label is split by the fractions on its own, so every part keeps the
    /// label proportions of the whole (to within one sample per label). Each part is shuffled, not grouped by label.
    /// </summary>
    public static IndexSplit Stratified(ReadOnlySpan<int> labels, double trainFraction, double validationFraction, ulong seed)
    {
        Counts(labels.Length, trainFraction, validationFraction); // validates the fractions before any work
        var rng = new Rng(seed);
        var byLabel = new SortedDictionary<int, List<int>>();
        for (int i = 0; i < labels.Length; i++)
        {
            if (!byLabel.TryGetValue(labels[i], out var members))
            {
                byLabel[labels[i]] = members = [];
            }

            members.Add(i);
        }

        List<int> train = [], validation = [], test = [];
        foreach (var members in byLabel.Values)
        {
            var indices = members.ToArray();
            Shuffle(indices, rng);
            var (nTrain, nValidation) = Counts(indices.Length, trainFraction, validationFraction);
            train.AddRange(indices[..nTrain]);
            validation.AddRange(indices[nTrain..(nTrain + nValidation)]);
            test.AddRange(indices[(nTrain + nValidation)..]);
        }

        int[] trainArray = [.. train], validationArray = [.. validation], testArray = [.. test];
        Shuffle(trainArray, rng);
        Shuffle(validationArray, rng);
        Shuffle(testArray, rng);
        return new IndexSplit(trainArray, validationArray, testArray);
    }

    /// <summary>The items at <paramref name="indices"/>, in that order.</summary>
    public static T[] Take<T>(IReadOnlyList<T> items, ReadOnlySpan<int> indices)
    {
        ArgumentNullException.ThrowIfNull(items);
        var result = new T[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            result[i] = items[indices[i]];
        }

        return result;
    }

    /// <summary>The rows of <paramref name="source"/> (N, …) at <paramref name="indices"/>, as a new (indices.Length, …) tensor.</summary>
    public static Tensor TakeRows(Tensor source, ReadOnlySpan<int> indices)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Rank == 0)
        {
            throw new ArgumentException("source: expected a tensor (N, …), got a scalar.", nameof(source));
        }

        var shape = source.Shape.ToArray();
        int n = shape[0];
        int row = n == 0 ? 0 : source.Length / n;
        shape[0] = indices.Length;
        var result = new Tensor(shape);
        for (int i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)n)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), $"Index {indices[i]} at position {i} is out of range for {n} rows.");
            }

            source.Span.Slice(indices[i] * row, row).CopyTo(result.Span.Slice(i * row, row));
        }

        return result;
    }

    /// <summary>Fisher-Yates shuffle driven by <paramref name="rng"/>.</summary>
    internal static void Shuffle(Span<int> values, Rng rng)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    private static (int Train, int Validation) Counts(int count, double trainFraction, double validationFraction)
    {
        if (!(trainFraction >= 0 && validationFraction >= 0 && trainFraction + validationFraction <= 1 + 1e-12))
        {
            throw new ArgumentOutOfRangeException(nameof(trainFraction),
                $"Fractions must be >= 0 and sum to at most 1; got train {trainFraction} and validation {validationFraction}.");
        }

        int train = (int)Math.Round(count * trainFraction, MidpointRounding.AwayFromZero);
        int validation = Math.Min(count - train, (int)Math.Round(count * validationFraction, MidpointRounding.AwayFromZero));
        return (train, validation);
    }
}
