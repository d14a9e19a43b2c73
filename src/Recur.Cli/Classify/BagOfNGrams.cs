namespace Recur.Cli.Classify;

/// <summary>
/// The bag-of-words baseline: multinomial logistic regression on the counts of the token n-grams of each example
/// (n = 1 .. <c>maxN</c>; words: single words, characters: k-mers up to 3), scaled to unit length, trained by plain
/// full-batch gradient descent with a little L2. The n-grams are those of the training split; others are ignored.
/// The number of steps is the one with the best validation accuracy, checked every 25 steps.
/// </summary>
internal sealed class BagOfNGrams
{
    private const int Steps = 1000, CheckEvery = 25;
    private const double LearningRate = 1.0, L2 = 1e-4; // unit-length features keep a step of 1 stable

    private readonly Dictionary<string, int> _features = new(StringComparer.Ordinal);
    private readonly int _maxN, _classes;
    private readonly double[,] _weights;
    private readonly double[] _bias;

    /// <summary>Fits on <paramref name="train"/> and picks the step count on <paramref name="validation"/>.</summary>
    public BagOfNGrams(int maxN, int classes, IReadOnlyList<int[]> train, int[] trainLabels, IReadOnlyList<int[]> validation, int[] validationLabels)
    {
        _maxN = maxN;
        _classes = classes;
        foreach (var key in train.SelectMany(NGrams))
        {
            _features.TryAdd(key, _features.Count);
        }

        var x = train.Select(Features).ToArray();
        var xVal = validation.Select(Features).ToArray();
        var weights = new double[classes, _features.Count];
        var bias = new double[classes];
        (_weights, _bias) = ((double[,])weights.Clone(), (double[])bias.Clone());
        double best = -1;
        var gradient = new double[classes, _features.Count];
        var gradBias = new double[classes];
        for (int step = 1; step <= Steps; step++)
        {
            Array.Clear(gradient);
            Array.Clear(gradBias);
            for (int i = 0; i < x.Length; i++)
            {
                var p = Probabilities(weights, bias, x[i]);
                p[trainLabels[i]] -= 1;
                for (int c = 0; c < classes; c++)
                {
                    gradBias[c] += p[c];
                    foreach (var (f, v) in x[i])
                    {
                        gradient[c, f] += p[c] * v;
                    }
                }
            }

            for (int c = 0; c < classes; c++)
            {
                bias[c] -= LearningRate * gradBias[c] / x.Length;
                for (int f = 0; f < _features.Count; f++)
                {
                    weights[c, f] -= LearningRate * (gradient[c, f] / x.Length + L2 * weights[c, f]);
                }
            }

            if (step % CheckEvery == 0)
            {
                double accuracy = xVal.Select((v, i) => ArgMax(Probabilities(weights, bias, v)) == validationLabels[i] ? 1.0 : 0.0).Average();
                if (accuracy > best)
                {
                    (best, BestStep) = (accuracy, step);
                    (_weights, _bias) = ((double[,])weights.Clone(), (double[])bias.Clone());
                }
            }
        }
    }

    public int FeatureCount => _features.Count;

    public int BestStep { get; private set; }

    public int[] Predict(IReadOnlyList<int[]> examples) => examples.Select(e => ArgMax(Probabilities(_weights, _bias, Features(e)))).ToArray();

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

    private (int Feature, double Value)[] Features(int[] ids)
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
        return counts.Select(kv => (kv.Key, kv.Value / norm)).ToArray();
    }

    private double[] Probabilities(double[,] weights, double[] bias, (int Feature, double Value)[] x)
    {
        var z = new double[_classes];
        for (int c = 0; c < _classes; c++)
        {
            z[c] = bias[c] + x.Sum(e => weights[c, e.Feature] * e.Value);
        }

        double max = z.Max(), sum = 0;
        for (int c = 0; c < _classes; c++)
        {
            sum += z[c] = Math.Exp(z[c] - max);
        }

        return z.Select(v => v / sum).ToArray();
    }

    private static int ArgMax(double[] values) => Array.IndexOf(values, values.Max());
}
