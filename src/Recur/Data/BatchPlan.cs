namespace Recur.Data;

/// <summary>The sample indices of every batch of one epoch, shared by <see cref="Batcher"/> and <see cref="SequenceBatcher"/>.</summary>
internal static class BatchPlan
{
    /// <summary>
    /// Batches of sample indices for epoch <paramref name="epoch"/>. <paramref name="lengths"/> (N) is given only
    /// when bucketing by length.
    /// </summary>
    public static int[][] Make(int count, BatcherOptions options, int epoch, int[]? lengths = null, int bucketBatches = 0)
    {
        int batchSize = options.BatchSize;
        var order = Enumerable.Range(0, count).ToArray();
        // A fresh generator per epoch: epoch e's order does not depend on which epochs ran before it.
        var rng = new Rng(options.Seed ^ (0x9E3779B97F4A7C15UL * (ulong)(epoch + 1)));
        if (options.Shuffle)
        {
            Splits.Shuffle(order, rng);
        }

        if (lengths is not null)
        {
            int chunk = batchSize * bucketBatches;
            for (int start = 0; start < count; start += chunk)
            {
                // Array.Sort is unstable: sort by (length, position) so equal lengths keep the shuffled order.
                var part = order.AsSpan(start, Math.Min(chunk, count - start));
                var keys = new long[part.Length];
                for (int i = 0; i < part.Length; i++)
                {
                    keys[i] = ((long)lengths[part[i]] << 32) | (uint)i;
                }

                keys.AsSpan().Sort(part);
            }
        }

        var batches = new List<int[]>(count / batchSize + 1);
        for (int start = 0; start < count; start += batchSize)
        {
            int size = Math.Min(batchSize, count - start);
            if (size == batchSize || !options.DropLast)
            {
                batches.Add(order[start..(start + size)]);
            }
        }

        var result = batches.ToArray();
        if (lengths is not null && options.Shuffle)
        {
            // Sorted chunks give batches in rising length; shuffling them keeps the epoch's length mix random.
            ShuffleBatches(result, rng);
        }

        return result;
    }

    /// <summary>Number of batches per epoch.</summary>
    public static int Count(int samples, BatcherOptions options) =>
        options.DropLast ? samples / options.BatchSize : (samples + options.BatchSize - 1) / options.BatchSize;

    public static void Validate(BatcherOptions options, int samples)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize, nameof(options.BatchSize));
        if (samples == 0)
        {
            throw new ArgumentException("Expected at least one sample to batch, got none.", nameof(samples));
        }
    }

    private static void ShuffleBatches(int[][] batches, Rng rng)
    {
        for (int i = batches.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (batches[i], batches[j]) = (batches[j], batches[i]);
        }
    }
}
