namespace Recur.Cli.Classify;

/// <summary>
/// The linear baseline of <c>recur classify</c>: multinomial logistic regression on sparse feature vectors (bag-of-words
/// counts, or the flattened numbers of a CSV row), trained by plain full-batch gradient descent with a little L2. The
/// step size is 1 / mean‖x‖²: the mean squared length (the trace of the second moment of x) bounds the loss's
/// curvature, so the descent is stable, and it is 1 for unit-length vectors. The number of steps is the one with the
/// best validation accuracy, checked every 25 steps.
/// </summary>
internal sealed class SoftmaxRegression
{
    private const int Steps = 1000, CheckEvery = 25;
    private const double L2 = 1e-4;

    private readonly int _classes;
    private readonly double[,] _weights;
    private readonly double[] _bias;

    /// <summary>Fits vectors of <paramref name="features"/> features on <paramref name="train"/>; picks the step count on <paramref name="validation"/>.</summary>
    public SoftmaxRegression(int features, int classes, SparseVector[] train, int[] trainLabels, SparseVector[] validation, int[] validationLabels)
    {
        _classes = classes;
        var weights = new double[classes, features];
        var bias = new double[classes];
        (_weights, _bias) = ((double[,])weights.Clone(), (double[])bias.Clone());
        double learningRate = 1 / Math.Max(1e-12, train.Average(x => x.SquaredNorm));
        double best = -1;
        var gradient = new double[classes, features];
        var gradBias = new double[classes];
        for (int step = 1; step <= Steps; step++)
        {
            Array.Clear(gradient);
            Array.Clear(gradBias);
            for (int i = 0; i < train.Length; i++)
            {
                var p = Probabilities(weights, bias, train[i]);
                p[trainLabels[i]] -= 1;
                for (int c = 0; c < classes; c++)
                {
                    gradBias[c] += p[c];
                    foreach (var (f, v) in train[i].Entries)
                    {
                        gradient[c, f] += p[c] * v;
                    }
                }
            }

            for (int c = 0; c < classes; c++)
            {
                bias[c] -= learningRate * gradBias[c] / train.Length;
                for (int f = 0; f < features; f++)
                {
                    weights[c, f] -= learningRate * (gradient[c, f] / train.Length + L2 * weights[c, f]);
                }
            }

            if (step % CheckEvery == 0)
            {
                double accuracy = validation.Select((v, i) => ArgMax(Probabilities(weights, bias, v)) == validationLabels[i] ? 1.0 : 0.0).Average();
                if (accuracy > best)
                {
                    (best, BestStep) = (accuracy, step);
                    (_weights, _bias) = ((double[,])weights.Clone(), (double[])bias.Clone());
                }
            }
        }
    }

    /// <summary>The number of gradient steps of the kept weights.</summary>
    public int BestStep { get; private set; }

    public int[] Predict(IEnumerable<SparseVector> examples) => examples.Select(x => ArgMax(Probabilities(_weights, _bias, x))).ToArray();

    private double[] Probabilities(double[,] weights, double[] bias, SparseVector x)
    {
        var z = new double[_classes];
        double max = double.NegativeInfinity;
        for (int c = 0; c < _classes; c++)
        {
            z[c] = bias[c];
            foreach (var (f, v) in x.Entries)
            {
                z[c] += weights[c, f] * v;
            }

            max = Math.Max(max, z[c]);
        }

        double sum = 0;
        for (int c = 0; c < _classes; c++)
        {
            sum += z[c] = Math.Exp(z[c] - max);
        }

        for (int c = 0; c < _classes; c++)
        {
            z[c] /= sum;
        }

        return z;
    }

    private static int ArgMax(double[] values) => Array.IndexOf(values, values.Max());
}

/// <summary>The non-zero entries of a feature vector, as (feature index, value).</summary>
internal sealed record SparseVector((int Feature, double Value)[] Entries)
{
    public double SquaredNorm => Entries.Sum(e => e.Value * e.Value);

    /// <summary>The non-zero values of a dense vector.</summary>
    public static SparseVector FromDense(ReadOnlySpan<float> values)
    {
        var entries = new List<(int, double)>();
        for (int f = 0; f < values.Length; f++)
        {
            if (values[f] != 0)
            {
                entries.Add((f, values[f]));
            }
        }

        return new SparseVector([.. entries]);
    }
}
