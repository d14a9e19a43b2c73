using System.Globalization;
using Recur.Cli.Common;
using Recur.Layers;
using Recur.Models;
using Recur.Training;
using static Recur.Cli.Tests.Cli;

namespace Recur.Cli.Tests;

/// <summary><c>recur classify</c> on 200 labelled Amazon sentences and 150 DNA sequences, and its errors on bad input.</summary>
public sealed class ClassifyCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-classify-tests-").FullName;
    private readonly string _sentences, _run, _model;

    public ClassifyCommandTests()
    {
        _sentences = Path.Combine(_dir, "amazon.tsv");
        File.WriteAllLines(_sentences, File.ReadLines(Bundled("sentiment/uci-labelled/amazon.tsv")).Take(201));
        _run = Path.Combine(_dir, "run");
        var (code, output, error) = Train(_sentences, "--out", _run);
        Assert.True(code == 0, error);
        TrainOutput = output;
        _model = Path.Combine(_run, "model.safetensors");
    }

    private string TrainOutput { get; }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Train_reports_test_accuracy_against_both_baselines_per_class_figures_and_saves_plots()
    {
        Assert.Contains("200 examples, 2 classes", TrainOutput);
        Assert.Contains("train 140, validation 30, test 30 (stratified, seed 1)", TrainOutput);
        Assert.Matches(@"test \(30 examples\): LSTM accuracy [01]\.\d{3}", TrainOutput);
        Assert.Contains("majority class", TrainOutput);
        Assert.Contains("bag-of-words logistic regression (word counts", TrainOutput);
        Assert.Contains("precision  recall      F1", TrainOutput);
        Assert.Contains("confusion (rows: true class, columns: predicted)", TrainOutput);
        foreach (string file in new[] { "model.safetensors", "loss.png", "loss.svg", "confusion.png", "confusion.svg" })
        {
            Assert.True(File.Exists(Path.Combine(_run, file)), file);
        }
    }

    [Fact]
    public void Mean_pooling_reads_every_step_and_its_model_predicts_after_loading()
    {
        string run = Path.Combine(_dir, "mean");
        var (code, output, error) = Train(_sentences, "--out", run, "--pool", "mean");
        Assert.True(code == 0, error);
        Assert.Contains("mean over steps -> Dense(2)", output);
        var layers = ModelStore.Load(Path.Combine(run, "model.safetensors"), "classify").Model.Layers.Select(l => l.GetType().Name).ToArray();
        Assert.Contains("Dropout", layers);
        Assert.Contains("GlobalAveragePooling1D", layers);
        var predicted = Run("classify", "predict", "This is a great product.", "--model", Path.Combine(run, "model.safetensors"));
        Assert.True(predicted.Code == 0, predicted.Error);
    }

    [Fact]
    public void Predict_prints_a_class_and_probabilities_summing_to_one_for_a_text_each_line_of_a_file_and_each_row_of_a_table()
    {
        string lines = Path.Combine(_dir, "lines.txt");
        File.WriteAllText(lines, "Great phone, works well.\n\nThe battery is terrible.\n");

        var one = Run("classify", "predict", "This is a great product.", "--model", _model);
        var file = Run("classify", "predict", "--input", lines, "--model", _model);

        var table = Run("classify", "predict", "--input", _sentences, "--model", _model);

        Assert.True(one.Code == 0, one.Error);
        Assert.True(file.Code == 0, file.Error);
        Assert.Equal(2, file.Output.TrimEnd().Split('\n').Length);
        Assert.True(table.Code == 0, table.Error);
        Assert.Equal(200, table.Output.TrimEnd().Split('\n').Length); // a TSV is read by its text column, without the header
        var match = System.Text.RegularExpressions.Regex.Match(one.Output, @"^([01])\s+\(0 ([\d.]+)  1 ([\d.]+)\)  This is a great product\.");
        Assert.True(match.Success, one.Output);
        double p0 = double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture), p1 = double.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture);
        Assert.Equal(1, p0 + p1, 3);
        Assert.Equal(p1 > p0 ? "1" : "0", match.Groups[1].Value);
    }

    [Fact]
    public void Evaluate_prints_accuracy_and_the_confusion_matrix_and_draws_it_beside_the_model()
    {
        File.Delete(Path.Combine(_run, "confusion.png"));

        var (code, output, error) = Run("classify", "evaluate", "--data", _sentences, "--model", _model);

        Assert.True(code == 0, error);
        Assert.Matches(@"on 200 examples: accuracy [01]\.\d{3}", output);
        Assert.Contains("confusion (rows: true class, columns: predicted)", output);
        Assert.True(File.Exists(Path.Combine(_run, "confusion.png")));
    }

    [Fact]
    public void Dna_sequences_are_read_character_by_character_with_string_labels()
    {
        string dna = Path.Combine(_dir, "dna.csv");
        var rows = File.ReadLines(Bundled("sequences/dna-splice/dna-splice.csv")).ToArray();
        File.WriteAllLines(dna, [rows[0], .. rows.Skip(1).Where((_, i) => i % 20 == 0)]);
        string run = Path.Combine(_dir, "dna");

        var (code, output, error) = Train(dna, "--tokens", "char", "--text-column", "sequence", "--label-column", "class", "--out", run);
        var predicted = Run("classify", "predict", rows[1].Split(',')[0], "--model", Path.Combine(run, "model.safetensors"));

        Assert.True(code == 0, error);
        Assert.Contains("3 classes (ei: ", output);
        Assert.Contains("tokens    chars, vocabulary 6 (2 special)", output);
        Assert.Contains("counts of character 1- to 3-grams", output);
        Assert.True(predicted.Code == 0, predicted.Error);
        Assert.Matches(@"^(ei|ie|n )\s+\(ei [\d.]+  ie [\d.]+  n [\d.]+\)", predicted.Output);
    }

    [Fact]
    public void Missing_empty_and_non_utf8_files_are_one_error_line_naming_the_file()
    {
        string empty = Path.Combine(_dir, "empty.tsv"), latin1 = Path.Combine(_dir, "latin1.tsv");
        File.WriteAllText(empty, "");
        File.WriteAllBytes(latin1, [.. "label\ttext\n1\tcaf"u8, 0xE9, (byte)'\n']);

        AssertOneErrorLine(Train(Path.Combine(_dir, "nope.tsv")), "--data: no such file: ", "nope.tsv");
        AssertOneErrorLine(Train(empty), empty, "is empty");
        AssertOneErrorLine(Train(latin1), latin1, "invalid UTF-8", "line 2");
    }

    [Fact]
    public void A_missing_column_lists_the_available_ones_and_an_empty_cell_names_its_line()
    {
        string gap = Path.Combine(_dir, "gap.csv");
        File.WriteAllText(gap, "sequence,class\nACGT,n\nACGA,\n");

        AssertOneErrorLine(Train(_sentences, "--text-column", "review"), _sentences, "no column 'review'", "available columns are: label, text");
        AssertOneErrorLine(Train(gap, "--text-column", "sequence", "--label-column", "class"), $"{gap}:3:", "column 'class' (index 1) is empty");
    }

    [Fact]
    public void A_model_of_another_kind_is_refused_by_name()
    {
        string other = Path.Combine(_dir, "textgen.safetensors");
        var model = new Sequential(new Input(-1), new Embedding(4, 2), new Lstm(2, 2) { ReturnSequences = false }, new Dense(2, 2));
        ModelStore.Save(model, other, "textgen", [], new History());

        AssertOneErrorLine(Run("classify", "predict", "great", "--model", other), other, "is a 'textgen' model, not a 'classify' model");
        AssertOneErrorLine(Run("nextword", "predict", "great", "--model", _model), _model, "is a 'classify' model, not a 'nextword' model");
    }

    [Fact]
    public void A_text_model_given_a_csv_of_numbers_is_refused_naming_the_file()
    {
        string digits = Path.Combine(_dir, "digits.csv");
        File.WriteAllLines(digits, File.ReadLines(Bundled("sequences/digits-8x8/digits-8x8.csv")).Take(11));

        AssertOneErrorLine(Run("classify", "evaluate", "--data", digits, "--model", _model), $"{digits}:1: no column 'text'", "available columns are: p0_0");
        AssertOneErrorLine(Run("classify", "predict", "--input", digits, "--model", _model), $"{digits}:1: no column 'text'");
    }

    [Fact]
    public void A_text_of_only_unknown_tokens_and_a_label_the_model_lacks_are_errors()
    {
        string relabelled = Path.Combine(_dir, "relabelled.tsv");
        File.WriteAllText(relabelled, "label\ttext\n1\tgood\npositive\tgreat\n");

        AssertOneErrorLine(Run("classify", "predict", "xylophone zeppelin", "--model", _model), "TEXT: none of its tokens is in the model's vocabulary");
        AssertOneErrorLine(Run("classify", "evaluate", "--data", relabelled, "--model", _model), $"{relabelled}:3", "the label 'positive' is not one of the model's classes (0, 1)");
    }

    [Fact]
    public void A_failing_run_leaves_the_existing_model_and_plots_untouched()
    {
        var before = Directory.GetFiles(_run).Order().Select(File.ReadAllBytes).ToArray();
        string latin1 = Path.Combine(_dir, "latin1.tsv"), single = Path.Combine(_dir, "single.tsv");
        File.WriteAllBytes(latin1, [0x61, 0xFF]);
        File.WriteAllText(single, "label\ttext\n1\tgood\n1\tgreat\n");

        Assert.Equal(1, Train(latin1, "--out", _run).Code);
        AssertOneErrorLine(Train(single, "--out", _run), "holds a single class ('1')");
        Assert.Equal(1, Train(_sentences, "--text-column", "review", "--out", _run).Code);

        Assert.Equal(before, Directory.GetFiles(_run).Order().Select(File.ReadAllBytes).ToArray());
    }

    private static (int Code, string Output, string Error) Train(string data, params string[] extra) =>
        Run(["classify", "train", "--data", data, "--epochs", "2", "--hidden", "8", "--embedding", "8", "--batch", "16", "--min-freq", "1", .. extra]);
}
