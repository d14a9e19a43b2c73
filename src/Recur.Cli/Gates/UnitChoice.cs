using System.Globalization;

namespace Recur.Cli.Gates;

/// <summary>A unit on the page: why it is there, its correlation with each feature, and how much it varies.</summary>
/// <param name="Unit">Index in 0..H-1.</param>
/// <param name="Reason">The name of the feature it was picked for, "most variable" or "chosen" (by --units).</param>
/// <param name="Correlations">Pearson's r with each feature, in the features' order.</param>
/// <param name="Deviation">Standard deviation of the shown value over the text.</param>
internal sealed record ShownUnit(int Unit, string Reason, double[] Correlations, double Deviation)
{
    /// <summary>
    /// The feature the unit was picked for, else the one it correlates with most strongly if |r| reaches
    /// <see cref="UnitChoice.MinCorrelation"/>; -1 for none.
    /// </summary>
    public int Feature { get; init; } = -1;

    /// <summary>"inside \"…\", r = +0.62": the feature the unit tracks, or null.</summary>
    public string? Tracks(IReadOnlyList<TextFeature> features) =>
        Feature < 0 ? null : $"{features[Feature].Name}, r = {UnitChoice.Format(Correlations[Feature])}";
}

/// <summary>Which units to show: the ones given, or the ones most correlated with the text's features.</summary>
internal static class UnitChoice
{
    /// <summary>Below this |r| a unit is not said to track a feature.</summary>
    public const double MinCorrelation = 0.3;

    /// <summary><paramref name="units"/> as given, described.</summary>
    public static ShownUnit[] Given(double[][] series, IReadOnlyList<TextFeature> features, IReadOnlyList<int> units) =>
        units.Select(u => Describe(series, features, u, "chosen")).ToArray();

    /// <summary>
    /// <paramref name="k"/> units: each feature in turn (the best-tracked first) adds its most correlated unit not yet
    /// taken, while that unit's |r| is at least <see cref="MinCorrelation"/>; the rest are the most variable units.
    /// </summary>
    public static ShownUnit[] Top(double[][] series, IReadOnlyList<TextFeature> features, int k)
    {
        k = Math.Min(k, series.Length);
        var described = Enumerable.Range(0, series.Length).Select(u => Describe(series, features, u, "")).ToArray();
        var ranked = Enumerable.Range(0, features.Count)
            .Select(f => described.OrderByDescending(d => Math.Abs(d.Correlations[f])).ToList())
            .ToArray();
        var order = Enumerable.Range(0, features.Count).OrderByDescending(f => Math.Abs(ranked[f][0].Correlations[f])).ToArray();

        var picked = new List<ShownUnit>();
        var taken = new HashSet<int>();
        for (bool progress = true; progress && picked.Count < k;)
        {
            progress = false;
            foreach (int f in order)
            {
                var next = ranked[f].FirstOrDefault(d => !taken.Contains(d.Unit));
                if (picked.Count < k && next is not null && Math.Abs(next.Correlations[f]) >= MinCorrelation)
                {
                    picked.Add(next with { Reason = features[f].Name, Feature = f });
                    taken.Add(next.Unit);
                    progress = true;
                }
            }
        }

        picked.AddRange(described.Where(d => !taken.Contains(d.Unit)).OrderByDescending(d => d.Deviation)
            .Take(k - picked.Count).Select(d => d with { Reason = "most variable" }));
        return [.. picked];
    }

    /// <summary>"+0.62": a correlation as the page and the console print it.</summary>
    public static string Format(double r) => r.ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture);

    private static ShownUnit Describe(double[][] series, IReadOnlyList<TextFeature> features, int unit, string reason)
    {
        var r = features.Select(f => TextFeatures.Correlation(series[unit], f.Values)).ToArray();
        int best = r.Length == 0 ? -1 : Array.IndexOf(r, r.MaxBy(Math.Abs));
        return new ShownUnit(unit, reason, r, TextFeatures.StandardDeviation(series[unit]))
        {
            Feature = best >= 0 && Math.Abs(r[best]) >= MinCorrelation ? best : -1,
        };
    }
}
