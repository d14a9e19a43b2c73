using System.Text.Json.Nodes;
using Recur.Data;
using Recur.Models;
using Recur.Tensors;

namespace Recur.Cli.Forecast;

/// <summary>
/// What a forecaster reads and how: the columns (the target first, then the extra features), the window, and the
/// transforms. Saved in the model file so that <c>predict</c> rebuilds the same inputs.
/// </summary>
/// <param name="Columns">The CSV columns the network reads; the first is the one forecast.</param>
/// <param name="Lookback">Past steps the network reads for one forecast.</param>
/// <param name="Horizon">Steps forecast at once (the Dense head's outputs).</param>
/// <param name="Season">Steps per season: the seasonal-naive baseline and the seasonal difference look this far back.</param>
/// <param name="Log">Whether the series is modelled as its logarithm (a growth with seasonal swings in proportion to the level).</param>
/// <param name="SeasonalDifference">Whether the network learns the change from one season before rather than the level.</param>
internal sealed record ForecastSpec(string[] Columns, int Lookback, int Horizon, int Season, bool Log, bool SeasonalDifference)
{
    public string Target => Columns[0];

    /// <summary>How far back the differencing reaches (0 without it).</summary>
    public int Lag => SeasonalDifference ? Season : 0;

    /// <summary>The first step that can be forecast: it needs <see cref="Lookback"/> inputs, each <see cref="Lag"/> steps after its reference.</summary>
    public int FirstOrigin => Lag + Lookback;

    public string Difference => SeasonalDifference ? "seasonal" : "none";

    public JsonObject ToJson() => new()
    {
        ["columns"] = new JsonArray(Columns.Select(c => (JsonNode?)c).ToArray()),
        ["lookback"] = Lookback,
        ["horizon"] = Horizon,
        ["season"] = Season,
        ["log"] = Log,
        ["difference"] = Difference,
    };

    /// <exception cref="InvalidDataException">The saved settings are missing or malformed.</exception>
    public static ForecastSpec FromJson(JsonNode? node, string path)
    {
        try
        {
            var o = node!.AsObject();
            return new ForecastSpec(
                o["columns"]!.AsArray().Select(c => c!.GetValue<string>()).ToArray(), o["lookback"]!.GetValue<int>(),
                o["horizon"]!.GetValue<int>(), o["season"]!.GetValue<int>(), o["log"]!.GetValue<bool>(),
                o["difference"]!.GetValue<string>() == "seasonal");
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: the saved forecast settings are missing or malformed", e);
        }
    }
}

/// <summary>The columns of a series read from a CSV file, one array per column, in <see cref="ForecastSpec.Columns"/> order.</summary>
internal sealed record Series(string Path, double[][] Columns)
{
    public int Length => Columns[0].Length;

    public double[] Target => Columns[0];

    /// <summary>Reads <paramref name="spec"/>'s columns of <paramref name="path"/>.</summary>
    /// <exception cref="CliException">No such file, or a value the log transform cannot take.</exception>
    /// <exception cref="DataFormatException">Empty file, unknown column (the available ones are listed), text or a gap in a cell.</exception>
    public static Series Read(string path, ForecastSpec spec)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"--data: no such file: {System.IO.Path.GetFullPath(path)}");
        }

        var values = CsvReader.Read(path, spec.Columns).Values;
        int rows = values.Dim(0), c = spec.Columns.Length;
        var span = values.Span;
        var columns = new double[c][];
        for (int j = 0; j < c; j++)
        {
            columns[j] = new double[rows];
            for (int t = 0; t < rows; t++)
            {
                columns[j][t] = span[t * c + j];
                if (spec.Log && !(columns[j][t] > 0))
                {
                    throw new CliException($"{path}: --log needs positive values, but column '{spec.Columns[j]}' holds {columns[j][t]} in data row {t + 1}");
                }
            }
        }

        return new Series(path, columns);
    }
}

/// <summary>
/// Turns a series into the network's inputs and its outputs back into forecasts: optional log, optional seasonal
/// difference (z_t = x_t - x_{t-season}), then standardisation with statistics of the training part only. The
/// network reads <c>Lookback</c> steps of every column and outputs the next <c>Horizon</c> transformed target values.
/// </summary>
internal sealed class Forecaster(ForecastSpec spec, StandardScaler scaler)
{
    public ForecastSpec Spec => spec;

    public StandardScaler Scaler => scaler;

    /// <summary>Fits the scaler on the transformed steps before <paramref name="trainEnd"/>.</summary>
    public static Forecaster Fit(ForecastSpec spec, Series series, int trainEnd)
    {
        var scaler = new StandardScaler();
        scaler.Fit(Changes(spec, series, trainEnd));
        return new Forecaster(spec, scaler);
    }

    /// <summary>(N, lookback, C) inputs for forecasts starting at each of <paramref name="origins"/>.</summary>
    public Tensor Inputs(Series series, IReadOnlyList<int> origins)
    {
        int lookback = spec.Lookback, c = spec.Columns.Length;
        var scaled = scaler.Transform(Changes(spec, series, series.Length)).Span;
        var inputs = new Tensor(origins.Count, lookback, c);
        for (int n = 0; n < origins.Count; n++)
        {
            // Row r of `scaled` is step r + Lag of the series.
            scaled.Slice((origins[n] - lookback - spec.Lag) * c, lookback * c).CopyTo(inputs.Span.Slice(n * lookback * c));
        }

        return inputs;
    }

    /// <summary>(N, horizon) training targets: the scaled transformed target at each origin's next steps.</summary>
    public Tensor Targets(Series series, IReadOnlyList<int> origins)
    {
        int c = spec.Columns.Length, k = spec.Horizon;
        var scaled = scaler.Transform(Changes(spec, series, series.Length)).Span;
        var targets = new Tensor(origins.Count, k);
        for (int n = 0; n < origins.Count; n++)
        {
            for (int s = 0; s < k; s++)
            {
                targets.Span[n * k + s] = scaled[(origins[n] + s - spec.Lag) * c];
            }
        }

        return targets;
    }

    /// <summary>
    /// The forecasts, in the series' units, of the <c>Horizon</c> steps from each origin (the step after the last
    /// one the network reads). An origin may be the series' length: the steps after its end.
    /// </summary>
    public double[][] Forecast(Model model, Series series, IReadOnlyList<int> origins)
    {
        int k = spec.Horizon;
        var predicted = model.Predict(Inputs(series, origins));
        var changes = scaler.InverseTransform(predicted.Reshape(origins.Count * k, 1), [0]).Span;
        var forecasts = new double[origins.Count][];
        for (int n = 0; n < origins.Count; n++)
        {
            // Undo the difference step by step: beyond one season, the reference is itself a forecast.
            var level = new double[k];
            for (int s = 0; s < k; s++)
            {
                int reference = origins[n] + s - spec.Lag;
                double before = spec.Lag == 0 ? 0 : s >= spec.Lag ? level[s - spec.Lag] : Transform(spec, series.Target[reference]);
                level[s] = changes[n * k + s] + before;
            }

            forecasts[n] = level.Select(v => spec.Log ? Math.Exp(v) : v).ToArray();
        }

        return forecasts;
    }

    private static double Transform(ForecastSpec spec, double x) => spec.Log ? Math.Log(x) : x;

    // (end - Lag, C): the transformed steps Lag .. end-1 of every column.
    private static Tensor Changes(ForecastSpec spec, Series series, int end)
    {
        int c = spec.Columns.Length, lag = spec.Lag;
        var changes = new Tensor(end - lag, c);
        var span = changes.Span;
        for (int t = lag; t < end; t++)
        {
            for (int j = 0; j < c; j++)
            {
                double before = lag == 0 ? 0 : Transform(spec, series.Columns[j][t - lag]);
                span[(t - lag) * c + j] = (float)(Transform(spec, series.Columns[j][t]) - before);
            }
        }

        return changes;
    }
}
