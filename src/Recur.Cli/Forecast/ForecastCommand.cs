using System.CommandLine;
using Recur.Cli.Common;
using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Serialization;
using static System.FormattableString;

namespace Recur.Cli.Forecast;

/// <summary><c>recur forecast train|predict</c>: multi-step forecasts of a CSV column, compared with the naive and seasonal-naive forecasts.</summary>
internal static class ForecastCommand
{
    public const string Kind = "forecast";
    private const string BundledData = "timeseries/r-datasets/AirPassengers.csv";
    private static readonly string DefaultModel = Path.Combine("runs", Kind, ModelStore.FileName);

    public static Command Create(CliContext cli) => new("forecast", "Time-series forecasting: learn the next values of a CSV column from its past (and other columns).")
    {
        Train(cli),
        Predict(cli),
    };

    private static Command Train(CliContext cli)
    {
        var common = new TrainingOptions(new TrainingDefaults(Hidden: 32, Epochs: 60, Batch: 16, LearningRate: 3e-3f, Out: Path.Combine("runs", Kind)));
        var data = new Option<string?>("--data") { Description = "A CSV file with a header row (default: the bundled AirPassengers, monthly 1949-1960)" };
        var target = new Option<string>("--target") { Description = "The column to forecast", DefaultValueFactory = _ => "passengers" };
        var features = new Option<string?>("--features") { Description = "Other columns the network reads too, comma-separated (e.g. temp,humidity)" };
        var lookback = new Option<int>("--lookback") { Description = "Past steps the network reads for each forecast", DefaultValueFactory = _ => 24 };
        var horizon = new Option<int>("--horizon") { Description = "Steps forecast at once", DefaultValueFactory = _ => 3 };
        var season = new Option<int>("--season") { Description = "Steps per season (12 for monthly data with a yearly cycle)", DefaultValueFactory = _ => 12 };
        var log = new Option<bool>("--log") { Description = "Model the logarithm of the series (for growth with swings in proportion to the level; values must be above 0)" };
        var difference = new Option<string>("--difference") { Description = "seasonal: learn the change from one season before; none: the level itself", DefaultValueFactory = _ => "seasonal" };
        var testFraction = new Option<double>("--test-fraction") { Description = "Share of the rows held out at the end for the test", DefaultValueFactory = _ => 0.2 };
        var testCount = new Option<int?>("--test-count") { Description = "Rows held out at the end for the test (instead of --test-fraction)" };
        var valFraction = new Option<double>("--val-fraction") { Description = "Share of the rows before the test that picks the best epoch", DefaultValueFactory = _ => 0.1 };
        difference.AcceptOnlyFromAmong("seasonal", "none");
        foreach (var option in new[] { lookback, horizon, season })
        {
            option.Validators.Add(OptionChecks.Positive);
        }

        testCount.Validators.Add(OptionChecks.Positive);
        testFraction.Validators.Add(OptionChecks.Fraction);
        valFraction.Validators.Add(OptionChecks.Fraction);

        var command = new Command("train",
            "Train a forecaster on the start of the series; report test RMSE and MAE against the naive and seasonal-naive forecasts and plot forecast vs actual.")
        {
            data, target, features, lookback, horizon, season, log, difference, testFraction, testCount, valFraction,
        };
        common.AddTo(command);
        command.Validators.Add(r =>
        {
            if (r.GetResult(testCount) is { Implicit: false } && r.GetResult(testFraction) is { Implicit: false })
            {
                r.AddError("give --test-count or --test-fraction, not both");
            }
        });
        command.SetAction(parsed =>
        {
            string[] extra = parsed.GetValue(features)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [];
            var spec = new ForecastSpec([parsed.GetValue(target)!, .. extra], parsed.GetValue(lookback), parsed.GetValue(horizon),
                parsed.GetValue(season), parsed.GetValue(log), parsed.GetValue(difference) == "seasonal");
            string path = parsed.GetValue(data) ?? RepositoryData.Find(BundledData);
            var series = Series.Read(path, spec);
            int testRows = parsed.GetValue(testCount) ?? (int)Math.Round(series.Length * parsed.GetValue(testFraction));
            var split = TimeSplit.Of(spec, series, testRows, parsed.GetValue(valFraction));
            Run(spec, series, split, common.Read(parsed), cli);
        });
        return command;
    }

    private static void Run(ForecastSpec spec, Series series, TimeSplit split, TrainingSettings settings, CliContext cli)
    {
        var output = cli.Output;
        var forecaster = Forecaster.Fit(spec, series, split.TrainEnd);
        var (train, val, test) = (split.TrainOrigins, split.ValidationOrigins, split.TestOrigins);
        int c = spec.Columns.Length, k = spec.Horizon;
        var model = new Sequential(
            new Input(-1, c),
            settings.Recurrent(c, returnSequences: false, stateful: false),
            new Dense(settings.Hidden, k, seed: settings.Seed + 1));

        string transforms = (spec.Log ? "log, " : "") + (spec.SeasonalDifference ? $"change from {spec.Season} steps before, " : "") + "standardised on train";
        output.WriteLine($"recur forecast train: {settings.CellName} forecaster of '{spec.Target}' in {series.Path}");
        output.WriteLine(Invariant($"  series    {series.Length} rows; train {split.TrainEnd}, validation {split.ValEnd - split.TrainEnd}, test {series.Length - split.ValEnd} (in time order)"));
        output.WriteLine(Invariant($"  inputs    {spec.Lookback} steps of {string.Join(", ", spec.Columns)} ({transforms}) -> the next {k} of '{spec.Target}'"));
        output.WriteLine(Invariant($"  model     {settings.CellName}({c} -> {settings.Hidden}) x {settings.Layers} -> Dense({k}), {model.ParameterCount:N0} parameters"));
        output.WriteLine(Invariant($"  training  {settings.Epochs} epochs of {train.Length} windows in batches of {settings.Batch}, Adam lr {settings.LearningRate}, seed {settings.Seed}"));

        var extras = new System.Text.Json.Nodes.JsonObject
        {
            ["forecast"] = spec.ToJson(),
            ["scaler"] = forecaster.Scaler.ToJson(),
            ["data"] = Path.GetFullPath(series.Path),
        };
        var job = new TrainingJob(Kind, model, Dataset(forecaster, series, train), Dataset(forecaster, series, val), new MeanSquaredError(), [],
            Shuffle: true, extras, "mean squared error (standardised)");
        var result = Trainer.Run(job, settings, cli);
        var best = ModelStore.Load(result.ModelPath).Model;

        var forecasts = forecaster.Forecast(best, series, test);
        var errors = new (string Name, ForecastErrors Errors)[]
        {
            (settings.CellName, ForecastErrors.Of(series.Target, test, k, (n, s) => forecasts[n][s])),
            ("naive", ForecastErrors.Naive(series.Target, test, k)),
            ($"seasonal naive ({spec.Season})", ForecastErrors.SeasonalNaive(series.Target, test, k, spec.Season)),
        };
        output.WriteLine(Invariant(
            $"done in {(int)result.Elapsed.TotalMinutes}:{result.Elapsed.Seconds:D2}: best epoch {result.BestEpoch + 1}; test: {test.Length} forecasts of {k} steps from rows {split.ValEnd + 1}..{series.Length - k + 1} (RMSE, MAE: per step, averaged)"));
        int width = errors.Max(e => e.Name.Length);
        foreach (var (name, e) in errors)
        {
            string steps = k == 1 ? "" : "   RMSE per step " + string.Join(" ", e.StepRmse.Select(v => Invariant($"{v:G4}")));
            output.WriteLine(Invariant($"  {name.PadRight(width)}  RMSE {e.Rmse,10:G5}  MAE {e.Mae,10:G5}{steps}"));
        }

        var fit = Enumerable.Range(spec.FirstOrigin, series.Length - k - spec.FirstOrigin + 1).ToArray();
        var plot = new ForecastPlot($"{spec.Target}: {settings.CellName}, test RMSE {errors[0].Errors.Rmse:G4} (naive {errors[1].Errors.Rmse:G4}, seasonal {errors[2].Errors.Rmse:G4})", spec.Target)
            .Actual(series.Target)
            .Forecast("1 step ahead", fit, forecaster.Forecast(best, series, fit).Select(f => f[0]))
            .Mark(split.TrainEnd, "validation start")
            .Mark(split.ValEnd, "test start");
        if (k > 1)
        {
            plot.Forecast($"{k} steps ahead (test)", test.Select(o => o + k - 1), forecasts.Select(f => f[k - 1]));
        }

        var plots = plot.Save(settings.Out, "forecast");
        output.WriteLine($"saved {result.ModelPath}, plots {string.Join(", ", result.Plots.Concat(plots))}");
    }

    private static Command Predict(CliContext cli)
    {
        var model = new Option<string>("--model") { Description = "A model saved by 'recur forecast train'", DefaultValueFactory = _ => DefaultModel };
        var data = new Option<string?>("--data") { Description = "The series to continue: a CSV with the model's columns (default: the file it was trained on)" };
        var plot = new Option<bool>("--plot") { Description = "Also plot the end of the series and the forecast as forecast-next.png and .svg beside the model" };
        var command = new Command("predict", "Forecast the steps after the end of the series, in its own units.") { model, data, plot };
        command.SetAction(parsed =>
        {
            string modelPath = parsed.GetValue(model)!;
            var loaded = ModelStore.Load(modelPath, Kind);
            var spec = ForecastSpec.FromJson(loaded.Extras["forecast"], modelPath);
            var forecaster = new Forecaster(spec, LoadScaler(loaded, modelPath));
            string path = parsed.GetValue(data) ?? loaded.Extras["data"]?.GetValue<string>()
                ?? throw new CliException($"{modelPath} does not name its training data; pass --data FILE");
            var series = Series.Read(path, spec);
            if (series.Length < spec.FirstOrigin)
            {
                throw new CliException(Invariant($"{path}: the series has {series.Length} rows; the model reads {ShortfallDetail(spec, 0)}"));
            }

            var next = forecaster.Forecast(loaded.Model, series, [series.Length])[0];
            cli.Output.WriteLine(Invariant($"the {next.Length} steps after row {series.Length} of {path}:"));
            cli.Output.WriteLine(Invariant($"  {"row",6}  {spec.Target}"));
            for (int s = 0; s < next.Length; s++)
            {
                cli.Output.WriteLine(Invariant($"  {series.Length + s + 1,6}  {next[s]:G6}"));
            }

            if (parsed.GetValue(plot))
            {
                var files = new ForecastPlot($"{spec.Target}: the next {next.Length} steps", spec.Target)
                    .Actual(series.Target, Math.Max(0, series.Length - 4 * Math.Max(spec.Lookback, spec.Season)))
                    .Forecast("forecast", Enumerable.Range(series.Length, next.Length), next)
                    .Save(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, "forecast-next");
                cli.Output.WriteLine($"plots {string.Join(", ", files)}");
            }
        });
        return command;
    }

    private static Recur.Data.StandardScaler LoadScaler(LoadedModel loaded, string path)
    {
        try
        {
            return Recur.Data.StandardScaler.FromJson(loaded.Extras["scaler"]!.GetValue<string>());
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: the saved scaler is missing or malformed", e);
        }
    }

    private static Training.Dataset Dataset(Forecaster forecaster, Series series, int[] origins) =>
        Training.Dataset.FromTensors(forecaster.Inputs(series, origins), forecaster.Targets(series, origins));

    /// <summary>"--lookback 24 + --horizon 3 + --season 12 (seasonal difference) = 39 rows", the rows one window needs.</summary>
    public static string ShortfallDetail(ForecastSpec spec, int horizon)
    {
        string parts = Invariant($"--lookback {spec.Lookback}") + (horizon > 0 ? Invariant($" + --horizon {horizon}") : "")
            + (spec.Lag > 0 ? Invariant($" + --season {spec.Season} (seasonal difference)") : "");
        return Invariant($"{parts} = {spec.FirstOrigin + horizon} rows");
    }
}
