namespace Recur.Metrics;

/// <summary>Creates a <see cref="Metric"/> from its <see cref="Metric.Name"/>, for configs and saved models.</summary>
public static class MetricRegistry
{
    /// <summary>The names <see cref="Create"/> knows.</summary>
    public static IReadOnlyList<string> Names { get; } = ["accuracy", "perplexity", "rmse", "mae"];

    /// <summary>A new metric called <paramref name="name"/>; <paramref name="ignoreIndex"/> applies to accuracy and perplexity.</summary>
    /// <exception cref="ArgumentException">An unknown name; the message lists the known ones.</exception>
    public static Metric Create(string name, int ignoreIndex = -100)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name switch
        {
            "accuracy" => new Accuracy(ignoreIndex),
            "perplexity" => new Perplexity(ignoreIndex),
            "rmse" => new RootMeanSquaredError(),
            "mae" => new MeanAbsoluteErrorMetric(),
            _ => throw new ArgumentException($"name: expected one of {string.Join(", ", Names)}, got '{name}'.", nameof(name)),
        };
    }
}
