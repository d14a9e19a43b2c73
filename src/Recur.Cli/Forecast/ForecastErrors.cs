namespace Recur.Cli.Forecast;

/// <summary>
/// RMSE and MAE of multi-step forecasts, per horizon step; <see cref="Rmse"/> and <see cref="Mae"/> average the
/// steps, so a long horizon's harder last steps count as much as its first.
/// </summary>
internal sealed record ForecastErrors(double[] StepRmse, double[] StepMae)
{
    public double Rmse => StepRmse.Average();

    public double Mae => StepMae.Average();

    /// <summary>
    /// The errors of <paramref name="forecast"/>(n, s), the forecast from <paramref name="origins"/>[n] of
    /// <paramref name="actual"/>[origins[n] + s], for s below <paramref name="horizon"/>.
    /// </summary>
    public static ForecastErrors Of(double[] actual, IReadOnlyList<int> origins, int horizon, Func<int, int, double> forecast)
    {
        var rmse = new double[horizon];
        var mae = new double[horizon];
        for (int s = 0; s < horizon; s++)
        {
            double squares = 0, absolute = 0;
            for (int n = 0; n < origins.Count; n++)
            {
                double error = forecast(n, s) - actual[origins[n] + s];
                squares += error * error;
                absolute += Math.Abs(error);
            }

            rmse[s] = Math.Sqrt(squares / origins.Count);
            mae[s] = absolute / origins.Count;
        }

        return new ForecastErrors(rmse, mae);
    }

    /// <summary>The naive forecast: every step repeats the last value seen.</summary>
    public static ForecastErrors Naive(double[] actual, IReadOnlyList<int> origins, int horizon) =>
        Of(actual, origins, horizon, (n, _) => actual[origins[n] - 1]);

    /// <summary>The seasonal-naive forecast: each step repeats the value one season before it (of the last season seen).</summary>
    public static ForecastErrors SeasonalNaive(double[] actual, IReadOnlyList<int> origins, int horizon, int season) =>
        Of(actual, origins, horizon, (n, s) => actual[origins[n] - season + s % season]);
}
