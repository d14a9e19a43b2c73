namespace Recur.Cli.Classify;

/// <summary>
/// The bag-of-words features of the text baseline: the counts of the token n-grams of each example (n = 1 ..
/// <c>maxN</c>; words: single words, characters: k-mers up to 3), scaled to unit length. The n-grams are those of the
/// training split; others are ignored.
/// </summary>
internal sealed class BagOfNGrams
{
    private readonly Dictionary<string, int> _features = new(StringComparer.Ordinal);
    private readonly int _maxN;

    /// <summary>Collects the n-grams of <paramref name="train"/>.</summary>
    public BagOfNGrams(int maxN, IEnumerable<int[]> train)
    {
        _maxN = maxN;
        foreach (var key in train.SelectMany(NGrams))
        {
            _features.TryAdd(key, _features.Count);
        }
    }

    public int FeatureCount => _features.Count;

    /// <summary>The unit-length n-gram counts of <paramref name="ids"/>.</summary>
    public SparseVector Features(int[] ids)
    {
        var counts = new Dictionary<int, double>();
        foreach (var key in NGrams(ids))
        {
            if (_features.TryGetValue(key, out int f))
            {
                counts[f] = counts.GetValueOrDefault(f) + 1;
            }
        }

        double norm = Math.Sqrt(counts.Values.Sum(v => v * v));
        return new SparseVector(counts.Select(kv => (kv.Key, kv.Value / norm)).ToArray());
    }

    private IEnumerable<string> NGrams(int[] ids)
    {
        for (int n = 1; n <= _maxN; n++)
        {
            for (int start = 0; start + n <= ids.Length; start++)
            {
                yield return string.Join(' ', ids.AsSpan(start, n).ToArray());
            }
        }
    }
}
