using System.Globalization;
using static Recur.Cli.Tests.Cli;

namespace Recur.Cli.Tests;

/// <summary><c>recur nextword</c> and <c>recur info MODEL</c> on a small excerpt of Genesis.</summary>
public sealed class NextWordCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-nextword-tests-").FullName;
    private readonly string _model;

    public NextWordCommandTests()
    {
        string data = Excerpt(_dir, "words/kjv-genesis-exodus/kjv-genesis-exodus.txt", 20_000);
        string run = Path.Combine(_dir, "run");
        var (code, output, error) = Run("nextword", "train", "--data", data, "--epochs", "2", "--hidden", "16", "--embedding", "8",
            "--batch", "4", "--bptt", "10", "--max-vocab", "200", "--out", run);
        Assert.True(code == 0, error);
        TrainOutput = output;
        _model = Path.Combine(run, "model.safetensors");
    }

    private string TrainOutput { get; }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Train_reports_perplexity_against_unigram_and_bigram_baselines_and_saves_plots()
    {
        Assert.Contains("nats/word", TrainOutput);
        Assert.Contains("perplexity", TrainOutput);
        Assert.Contains("unigram", TrainOutput);
        Assert.Contains("bigram", TrainOutput);
        Assert.Contains("vocab     200 tokens", TrainOutput);
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(_model)!, "loss.png")));
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(_model)!, "loss.svg")));
    }

    [Fact]
    public void Predict_lists_top_k_words_with_falling_probabilities()
    {
        var (code, output, error) = Run("nextword", "predict", "and the", "--model", _model, "--top-k", "4");

        Assert.True(code == 0, error);
        var lines = output.TrimEnd().Split('\n');
        Assert.Equal("and the ...", lines[0]);
        Assert.Equal(5, lines.Length);
        double[] p = lines[1..].Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1], CultureInfo.InvariantCulture)).ToArray();
        Assert.All(p, v => Assert.InRange(v, 0, 1));
        Assert.Equal(p.OrderDescending(), p);
        Assert.DoesNotContain("<unk>", output);
    }

    [Fact]
    public void Unknown_words_are_read_as_unk_with_a_warning_and_a_phrase_of_only_unknown_words_fails()
    {
        var partly = Run("nextword", "predict", "and the xylophone", "--model", _model);
        var none = Run("nextword", "predict", "xylophone zeppelin", "--model", _model);

        Assert.Equal(0, partly.Code);
        Assert.Contains("warning: not in the model's vocabulary, read as <unk>: 'xylophone'", partly.Error);
        AssertOneErrorLine(none, "PHRASE: none of its tokens is in the model's vocabulary of 200");
    }

    [Fact]
    public void A_model_of_another_kind_is_refused_by_name()
    {
        AssertOneErrorLine(Run("textgen", "sample", "--model", _model), _model, "is a 'nextword' model, not a 'textgen' model");
    }

    [Fact]
    public void Info_describes_the_saved_model()
    {
        var (code, output, error) = Run("info", _model);

        Assert.True(code == 0, error);
        Assert.Contains("kind       nextword", output);
        Assert.Contains("(Lstm)", output);
        Assert.Contains("Total params: ", output);
        Assert.Contains("vocabulary 200 tokens (2 special), most frequent first: ", output);
        Assert.Contains("history    2 epochs", output);
        Assert.Contains("best: epoch ", output);
    }

    [Fact]
    public void Info_on_a_file_that_is_not_a_model_is_one_error_line()
    {
        string text = Path.Combine(_dir, "kjv-genesis-exodus.txt");

        AssertOneErrorLine(Run("info", text), text, "not a valid model file");
        AssertOneErrorLine(Run("info", Path.Combine(_dir, "nope.safetensors")), "no such model file");
    }
}
