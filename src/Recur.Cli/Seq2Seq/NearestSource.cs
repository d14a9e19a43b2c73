namespace Recur.Cli.Seq2Seq;

/// <summary>
/// The baseline of <c>recur seq2seq</c>: a source gets the target of the training source nearest to it by edit
/// distance over tokens (Levenshtein: insertions, deletions and substitutions; on a tie the first in training order).
/// It is right when spellings alike have outputs alike ("cats" → the pronunciation of "cat's"), never for a new ending.
/// </summary>
internal sealed class NearestSource(int[][] sources, string[] targets)
{
    /// <summary>The target of the training source nearest to <paramref name="source"/>.</summary>
    public string Predict(int[] source)
    {
        int nearest = 0, best = int.MaxValue;
        var previous = new int[source.Length + 1];
        var current = new int[source.Length + 1];
        for (int i = 0; i < sources.Length && best > 0; i++)
        {
            // The length difference alone costs that many insertions or deletions.
            if (Math.Abs(sources[i].Length - source.Length) < best)
            {
                int distance = Distance(sources[i], source, best, previous, current);
                if (distance < best)
                {
                    (best, nearest) = (distance, i);
                }
            }
        }

        return targets[nearest];
    }

    // The edit distance of a and b, or a value of at least `bound` once every entry of a row has reached it.
    private static int Distance(int[] a, int[] b, int bound, int[] previous, int[] current)
    {
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            int rowMin = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitute, Math.Min(previous[j], current[j - 1]) + 1);
                rowMin = Math.Min(rowMin, current[j]);
            }

            if (rowMin >= bound)
            {
                return bound;
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
