using System.Globalization;
using System.Text.Json.Nodes;
using Recur.Cli.Common;
using static Recur.Cli.Tests.Cli;

namespace Recur.Cli.Tests;

/// <summary>One small classifier of 8x8 digits read as 8 rows of 8 pixels, trained on the first 300 bundled digits.</summary>
public sealed class DigitsModelFixture : IDisposable
{
    public DigitsModelFixture()
    {
        Lines = File.ReadAllLines(Bundled("sequences/digits-8x8/digits-8x8.csv"));
        Data = Path.Combine(Dir, "digits.csv");
        File.WriteAllLines(Data, Lines[..301]);
        var (code, output, error) = ClassifyNumericTests.Train(Data, "--out", Path.Combine(Dir, "run"));
        Assert.True(code == 0, error);
        TrainOutput = output;
    }

    public string Dir { get; } = Directory.CreateTempSubdirectory("recur-classify-numeric-tests-").FullName;

    /// <summary>The bundled file's lines: the header, then one digit per line.</summary>
    public string[] Lines { get; }

    public string Data { get; }

    public string Model => Path.Combine(Dir, "run", "model.safetensors");

    public string TrainOutput { get; }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}

/// <summary><c>recur classify</c> on numeric CSV columns read as time steps (<c>--steps</c>), good input and bad.</summary>
public sealed class ClassifyNumericTests(DigitsModelFixture fixture) : IClassFixture<DigitsModelFixture>
{
    private readonly string _dir = fixture.Dir;

    internal static (int Code, string Output, string Error) Train(string data, params string[] extra) =>
        Run(["classify", "train", "--data", data, .. extra.Contains("--steps") ? extra : ["--steps", "8", .. extra], "--epochs", "2", "--hidden", "8", "--batch", "16"]);

    private string WriteCsv(string name, params string[] lines)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    // The bundled header and first rows, with the cell of `column` on data row `row` (from 1) replaced by `value`.
    private string WithCell(string name, int row, string column, string value)
    {
        var lines = fixture.Lines[..31].ToArray();
        var cells = lines[row].Split(',');
        cells[Array.IndexOf(lines[0].Split(','), column)] = value;
        lines[row] = string.Join(',', cells);
        return WriteCsv(name, lines);
    }

    [Fact]
    public void Train_reads_the_columns_as_steps_and_reports_accuracy_against_majority_and_logistic_regression()
    {
        string output = fixture.TrainOutput;

        Assert.Contains("300 examples, 10 classes (0: 31, 1: 30, 2: 29,", output);
        Assert.Contains("inputs    64 numeric columns (p0_0 .. p7_7) as 8 steps of 8, each of the 8 standardised with the training split's mean and deviation", output);
        Assert.Contains("model     8 x 8 values -> LSTM(8) x 1, last step -> Dense(10)", output);
        Assert.Matches(@"test \(4\d examples\): LSTM accuracy [01]\.\d{3}", output);
        Assert.Contains("logistic regression (standardised values, 64 features, ", output);
        Assert.Contains("confusion (rows: true class, columns: predicted)", output);
        foreach (string file in new[] { "model.safetensors", "loss.png", "loss.svg", "confusion.png", "confusion.svg" })
        {
            Assert.True(File.Exists(Path.Combine(_dir, "run", file)), file);
        }
    }

    [Fact]
    public void The_model_keeps_the_columns_steps_and_a_scaler_of_the_step_features()
    {
        var extras = ModelStore.Load(fixture.Model, "classify").Extras;

        Assert.Equal("numeric", extras["input"]!.GetValue<string>());
        Assert.Equal(8, extras["steps"]!.GetValue<int>());
        Assert.Equal(64, extras["columns"]!.AsArray().Count);
        var scaler = JsonNode.Parse(extras["scaler"]!.GetValue<string>())!;
        Assert.Equal(8, scaler["mean"]!.AsArray().Count);
    }

    [Fact]
    public void Predict_reads_the_models_columns_by_name_scales_them_and_agrees_with_evaluate()
    {
        // The same digits with the label first and the pixel columns in reverse order: found by name all the same.
        var rows = fixture.Lines[..61].Select(l => l.Split(',')).Select(c => string.Join(',', c[^1..].Concat(c[..^1].Reverse()))).ToArray();
        string shuffled = WriteCsv("reordered.csv", rows);

        var predicted = Run("classify", "predict", "--input", shuffled, "--model", fixture.Model);
        var evaluated = Run("classify", "evaluate", "--data", shuffled, "--model", fixture.Model);

        Assert.True(predicted.Code == 0, predicted.Error);
        Assert.True(evaluated.Code == 0, evaluated.Error);
        var lines = predicted.Output.TrimEnd().Split('\n');
        Assert.Equal(60, lines.Length);
        Assert.EndsWith($"{shuffled}:2", lines[0]);
        var match = System.Text.RegularExpressions.Regex.Match(lines[0], @"^(\d)\s+\(((?:\d [\d.]+\s*){10})\)");
        Assert.True(match.Success, lines[0]);
        double sum = match.Groups[2].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where((_, i) => i % 2 == 1).Sum(p => double.Parse(p, CultureInfo.InvariantCulture));
        Assert.Equal(1, sum, 3);
        int right = lines.Where((l, i) => l[0].ToString() == rows[i + 1].Split(',')[0]).Count();
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"on 60 examples: accuracy {right / 60.0:F3}"), evaluated.Output);
    }

    [Fact]
    public void Features_select_columns_by_pattern_in_the_order_given()
    {
        string run = Path.Combine(_dir, "two-rows");

        var (code, output, error) = Train(fixture.Data, "--steps", "2", "--features", "p3_*,p2_*", "--out", run);

        Assert.True(code == 0, error);
        Assert.Contains("16 numeric columns (p3_0 .. p2_7) as 2 steps of 8", output);
    }

    [Fact]
    public void A_missing_label_column_or_a_pattern_matching_nothing_is_named()
    {
        AssertOneErrorLine(Train(fixture.Data, "--label-column", "digit"), $"{fixture.Data}:1: no column 'digit'", "available columns are: p0_0, p0_1");
        AssertOneErrorLine(Train(fixture.Data, "--features", "p*,q*"), $"{fixture.Data}:1: --features 'q*' matches no column");
    }

    [Fact]
    public void A_text_or_nan_cell_is_named_by_file_line_and_column()
    {
        string text = WithCell("text.csv", 3, "p4_5", "dark");
        string nan = WithCell("nan.csv", 7, "p0_1", "NaN");

        AssertOneErrorLine(Train(text), $"{text}:4: column 'p4_5' (index 37) holds 'dark', which is not a finite number");
        AssertOneErrorLine(Train(nan), $"{nan}:8: column 'p0_1' (index 1) holds 'NaN', a missing value");
        AssertOneErrorLine(Run("classify", "predict", "--input", text, "--model", fixture.Model), $"{text}:4: column 'p4_5'");
    }

    [Fact]
    public void Columns_that_do_not_divide_into_the_steps_are_refused()
    {
        AssertOneErrorLine(Train(fixture.Data, "--steps", "7"), fixture.Data, "the 64 feature columns (p0_0 .. p7_7) do not divide into --steps 7 steps of equal size");
    }

    [Fact]
    public void A_csv_without_the_models_columns_and_a_text_for_a_numeric_model_are_refused()
    {
        string sentences = Bundled("sentiment/uci-labelled/amazon.tsv");

        AssertOneErrorLine(Run("classify", "predict", "--input", sentences, "--model", fixture.Model), $"{sentences}:1: no column 'p0_0'", "available columns are: label, text");
        AssertOneErrorLine(Run("classify", "evaluate", "--data", sentences, "--model", fixture.Model), $"{sentences}:1: no column 'p0_0'");
        AssertOneErrorLine(Run("classify", "predict", "great phone", "--model", fixture.Model), fixture.Model, "classifies rows of numeric columns (p0_0 .. p7_7), not a text");
    }

    [Theory]
    [InlineData("--tokens", "char")]
    [InlineData("--text-column", "pixels")]
    public void Text_options_with_steps_are_a_usage_error(params string[] options)
    {
        var (code, _, error) = Train(fixture.Data, options);

        Assert.Equal(2, code);
        Assert.Contains($"{options[0]} read a text; --steps reads numeric columns instead", error);
    }

    [Fact]
    public void Features_without_steps_is_a_usage_error()
    {
        var (code, _, error) = Run("classify", "train", "--data", fixture.Data, "--features", "p*");

        Assert.Equal(2, code);
        Assert.Contains("--features names numeric columns and needs --steps", error);
    }

    [Fact]
    public void A_failing_numeric_run_leaves_the_existing_model_untouched()
    {
        string run = Path.Combine(_dir, "run");
        var before = Directory.GetFiles(run).Order().Select(File.ReadAllBytes).ToArray();

        Assert.Equal(1, Train(WithCell("bad.csv", 2, "p1_1", "x"), "--out", run).Code);
        Assert.Equal(1, Train(fixture.Data, "--steps", "5", "--out", run).Code);

        Assert.Equal(before, Directory.GetFiles(run).Order().Select(File.ReadAllBytes).ToArray());
    }
}
