using static System.FormattableString;

namespace Recur.Cli.Forecast;

/// <summary>
/// A series cut in time order into train (rows before <see cref="TrainEnd"/>), validation (before
/// <see cref="ValEnd"/>) and test (the rest). A forecast belongs to the part that holds all the steps it forecasts;
/// the steps it reads may lie in an earlier part, as they would in use.
/// </summary>
internal sealed record TimeSplit(ForecastSpec Spec, int Length, int TrainEnd, int ValEnd)
{
    /// <summary>
    /// Holds out <paramref name="testRows"/> at the end and <paramref name="valFraction"/> of the rest before them.
    /// </summary>
    /// <exception cref="CliException">The series, or a part of it, is too short for one forecast: the message names the numbers.</exception>
    public static TimeSplit Of(ForecastSpec spec, Series series, int testRows, double valFraction)
    {
        int length = series.Length, k = spec.Horizon;
        if (length < spec.FirstOrigin + k)
        {
            throw new CliException(Invariant($"{series.Path}: the series has {length} rows, fewer than {ForecastCommand.ShortfallDetail(spec, k)}"));
        }

        int valEnd = length - testRows;
        int trainEnd = valEnd - (int)Math.Round(valEnd * valFraction);
        if (testRows < k || valEnd - trainEnd < k)
        {
            throw new CliException(Invariant(
                $"{series.Path}: the test part has {testRows} rows and the validation part {valEnd - trainEnd}; each needs at least --horizon {k}"));
        }

        if (trainEnd < spec.FirstOrigin + k)
        {
            throw new CliException(Invariant(
                $"{series.Path}: {length} rows leave {trainEnd} for training after {testRows} test and {valEnd - trainEnd} validation rows, fewer than {ForecastCommand.ShortfallDetail(spec, k)}"));
        }

        if (valEnd < spec.Season)
        {
            throw new CliException(Invariant($"{series.Path}: the test starts at row {valEnd + 1}, within the first --season {spec.Season} rows: no seasonal-naive forecast"));
        }

        return new TimeSplit(spec, length, trainEnd, valEnd);
    }

    /// <summary>The first forecast steps of the training windows.</summary>
    public int[] TrainOrigins => Origins(Spec.FirstOrigin, TrainEnd);

    public int[] ValidationOrigins => Origins(TrainEnd, ValEnd);

    public int[] TestOrigins => Origins(ValEnd, Length);

    // Every forecast from `start` whose last step is before `end`.
    private int[] Origins(int start, int end) => Enumerable.Range(start, end - Spec.Horizon - start + 1).ToArray();
}
