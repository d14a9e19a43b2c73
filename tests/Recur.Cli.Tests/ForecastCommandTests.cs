using System.Globalization;
using static Recur.Cli.Tests.Cli;

namespace Recur.Cli.Tests;

/// <summary><c>recur forecast</c> on AirPassengers (a short training run) and on broken copies of it.</summary>
public sealed class ForecastCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-forecast-tests-").FullName;
    private readonly string _run;
    private readonly string _model;

    public ForecastCommandTests()
    {
        _run = Path.Combine(_dir, "run");
        var (code, output, error) = Run(Train("--out", _run));
        Assert.True(code == 0, error);
        TrainOutput = output;
        _model = Path.Combine(_run, "model.safetensors");
    }

    private string TrainOutput { get; }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // A short run on the bundled AirPassengers, with any other options.
    private static string[] Train(params string[] options) =>
        TrainOn(Bundled("timeseries/r-datasets/AirPassengers.csv"), options);

    private static string[] TrainOn(string data, params string[] options) =>
        ["forecast", "train", "--data", data, "--log", "--test-count", "24", "--epochs", "3", "--hidden", "8", .. options];

    private string WriteCsv(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Train_reports_rmse_and_mae_against_naive_and_seasonal_naive_and_saves_the_plots()
    {
        Assert.Contains("test: 22 forecasts of 3 steps", TrainOutput);
        foreach (string name in new[] { "LSTM", "naive", "seasonal naive (12)" })
        {
            Assert.Matches($@"\n  {System.Text.RegularExpressions.Regex.Escape(name)} +RMSE +[0-9.]+  MAE +[0-9.]+   RMSE per step( [0-9.]+){{3}}", TrainOutput);
        }

        foreach (string file in new[] { "model.safetensors", "loss.png", "loss.svg", "forecast.png", "forecast.svg" })
        {
            Assert.True(File.Exists(Path.Combine(_run, file)), file);
        }
    }

    [Fact]
    public void Predict_forecasts_the_horizon_after_the_end_of_the_file_in_its_units_and_plots_it()
    {
        var (code, output, error) = Run("forecast", "predict", "--model", _model, "--plot");

        Assert.True(code == 0, error);
        var lines = output.TrimEnd().Split('\n');
        Assert.StartsWith("the 3 steps after row 144 of ", lines[0]);
        var rows = lines[2..5].Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        Assert.Equal(["145", "146", "147"], rows.Select(r => r[0]));
        // January to March 1961: the scale of the series (hundreds of thousands of passengers), not standardised values.
        Assert.All(rows, r => Assert.InRange(double.Parse(r[1], CultureInfo.InvariantCulture), 250, 700));
        Assert.True(File.Exists(Path.Combine(_run, "forecast-next.png")));
        Assert.True(File.Exists(Path.Combine(_run, "forecast-next.svg")));
    }

    [Fact]
    public void Extra_feature_columns_are_read_too()
    {
        var (code, output, error) = Run(Train("--features", "month", "--out", Path.Combine(_dir, "features")));

        Assert.True(code == 0, error);
        Assert.Contains("24 steps of passengers, month", output);
        Assert.Contains("LSTM(2 -> 8)", output);
    }

    [Fact]
    public void A_missing_or_empty_file_is_named()
    {
        string missing = Path.Combine(_dir, "nope.csv");
        string empty = WriteCsv("empty.csv", "");

        AssertOneErrorLine(Run(TrainOn(missing, "--out", _run)), "--data: no such file", missing);
        AssertOneErrorLine(Run(TrainOn(empty, "--out", _run)), empty, "the file is empty");
    }

    [Fact]
    public void An_unknown_column_lists_the_available_ones()
    {
        AssertOneErrorLine(Run(Train("--target", "riders", "--out", _run)), "no column 'riders'", "year, month, passengers");
        AssertOneErrorLine(Run(Train("--features", "month,weekday", "--out", _run)), "no column 'weekday'");
    }

    [Fact]
    public void A_text_or_nan_cell_is_named_by_file_line_and_column()
    {
        string text = WriteCsv("text.csv", "month,passengers\n1,112\n2,118\n3,lots\n");
        string nan = WriteCsv("nan.csv", "month,passengers\n1,112\n2,NaN\n");

        AssertOneErrorLine(Run(TrainOn(text, "--out", _run)), $"{text}:4: column 'passengers'", "lots");
        AssertOneErrorLine(Run(TrainOn(nan, "--out", _run)), $"{nan}:3: column 'passengers'", "missing value");
    }

    [Fact]
    public void A_series_shorter_than_lookback_plus_horizon_names_all_the_numbers()
    {
        string rows = string.Concat(Enumerable.Range(1, 30).Select(i => $"{i},{100 + i}\n"));
        string shortFile = WriteCsv("short.csv", "month,passengers\n" + rows);

        AssertOneErrorLine(Run(TrainOn(shortFile, "--out", _run)),
            shortFile, "30 rows", "--lookback 24 + --horizon 3 + --season 12 (seasonal difference) = 39 rows");
        AssertOneErrorLine(Run(TrainOn(shortFile, "--difference", "none", "--horizon", "7", "--out", _run)),
            "30 rows", "--lookback 24 + --horizon 7 = 31 rows");
    }

    [Fact]
    public void Log_of_a_value_below_zero_is_refused()
    {
        string negative = WriteCsv("negative.csv", "passengers\n1\n-2\n");

        AssertOneErrorLine(Run(TrainOn(negative, "--out", _run)), negative, "--log needs positive values", "'passengers'", "data row 2");
    }

    [Fact]
    public void A_model_of_another_kind_is_refused_both_ways()
    {
        string text = Path.Combine(_dir, "text");
        Assert.Equal(0, Run("nextword", "train", "--data", Excerpt(_dir, "words/kjv-genesis-exodus/kjv-genesis-exodus.txt", 3000),
            "--epochs", "1", "--hidden", "4", "--embedding", "4", "--batch", "2", "--bptt", "5", "--out", text).Code);

        AssertOneErrorLine(Run("forecast", "predict", "--model", Path.Combine(text, "model.safetensors")), "is a 'nextword' model, not a 'forecast' model");
        AssertOneErrorLine(Run("nextword", "predict", "and", "--model", _model), _model, "is a 'forecast' model, not a 'nextword' model");
    }

    [Fact]
    public void A_failing_run_leaves_the_existing_model_as_it_was()
    {
        byte[] before = File.ReadAllBytes(_model);

        AssertOneErrorLine(Run(Train("--target", "riders", "--out", _run)), "no column 'riders'");
        AssertOneErrorLine(Run(TrainOn(Path.Combine(_dir, "nope.csv"), "--out", _run)), "no such file");

        Assert.Equal(before, File.ReadAllBytes(_model));
    }

    [Fact]
    public void Test_count_and_test_fraction_together_are_a_usage_error()
    {
        var (code, _, error) = Run(Train("--test-fraction", "0.2", "--out", _run));

        Assert.Equal(2, code);
        Assert.Contains("give --test-count or --test-fraction, not both", error);
    }
}
