using static Recur.Cli.Tests.Cli;

namespace Recur.Cli.Tests;

/// <summary><c>recur textgen</c> on tiny excerpts of tiny Shakespeare, 1-2 epochs of a small model.</summary>
public sealed class TextGenCommandTests : IDisposable
{
    private const string Shakespeare = "text/tinyshakespeare/input.txt";
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-textgen-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Help_lists_every_training_option()
    {
        var (code, output, _) = Run("textgen", "train", "--help");

        Assert.Equal(0, code);
        foreach (string option in new[] { "--cell", "--hidden", "--layers", "--epochs", "--batch", "--lr", "--dropout", "--seed", "--out", "--data", "--embedding", "--bptt", "--val-fraction" })
        {
            Assert.Contains(option, output);
        }
    }

    [Fact]
    public void Help_of_sample_lists_its_options()
    {
        var (code, output, _) = Run("textgen", "sample", "--help");

        Assert.Equal(0, code);
        foreach (string option in new[] { "--model", "--prime", "--length", "--temperature", "--top-k", "--seed" })
        {
            Assert.Contains(option, output);
        }
    }

    [Fact]
    public void Root_help_lists_the_applications()
    {
        var (code, output, _) = Run("--help");

        Assert.Equal(0, code);
        Assert.Contains("textgen", output);
        Assert.Contains("nextword", output);
        Assert.Contains("info", output);
    }

    [Theory]
    [InlineData("rnn", "Rnn")]
    [InlineData("lstm", "Lstm")]
    [InlineData("gru", "Gru")]
    public void Train_saves_the_model_and_loss_plots_for_each_cell(string cell, string layerType)
    {
        string run = Path.Combine(_dir, cell);

        var (code, output, error) = Train("--cell", cell, "--out", run);

        Assert.True(code == 0, error);
        Assert.Contains("epoch 2/2  loss ", output);
        Assert.Contains("nats/char", output);
        Assert.Contains("unigram", output);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, File.ReadAllBytes(Path.Combine(run, "loss.png"))[..4]);
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(run, "loss.svg")));
        Assert.False(File.Exists(Path.Combine(run, "checkpoint.tmp.safetensors")));
        var info = Run("info", Path.Combine(run, "model.safetensors"));
        Assert.Contains($"({layerType})", info.Output);
    }

    [Fact]
    public void Sample_continues_the_prime_and_the_same_seed_gives_the_same_text()
    {
        string run = Path.Combine(_dir, "run");
        Assert.Equal(0, Train("--out", run).Code);
        string[] args = ["textgen", "sample", "--model", Path.Combine(run, "model.safetensors"), "--prime", "KING", "--length", "40", "--top-k", "5", "--seed", "3"];

        var first = Run(args);
        var second = Run(args);

        Assert.True(first.Code == 0, first.Error);
        Assert.StartsWith("KING", first.Output);
        Assert.Equal("KING".Length + 40, first.Output.TrimEnd('\n').Length);
        Assert.Equal(first.Output, second.Output);
    }

    [Fact]
    public void A_prime_with_unknown_characters_warns_and_one_with_none_known_fails()
    {
        string run = Path.Combine(_dir, "run");
        Assert.Equal(0, Train("--out", run).Code);
        string model = Path.Combine(run, "model.safetensors");

        var partly = Run("textgen", "sample", "--model", model, "--prime", "a\u00e6", "--length", "5");
        var none = Run("textgen", "sample", "--model", model, "--prime", "\u00e6\u00e6", "--length", "5");

        Assert.Equal(0, partly.Code);
        Assert.Contains("warning: not in the model's vocabulary, read as <unk>: '\u00e6'", partly.Error);
        AssertOneErrorLine(none, "--prime: none of its tokens is in the model's vocabulary");
    }

    [Fact]
    public void Missing_empty_and_non_utf8_files_are_one_error_line_each()
    {
        string empty = Path.Combine(_dir, "empty.txt"), latin1 = Path.Combine(_dir, "latin1.txt");
        File.WriteAllText(empty, "");
        File.WriteAllBytes(latin1, [.. "To be\nor not "u8.ToArray(), 0xE9, .. "t\n"u8.ToArray()]);

        AssertOneErrorLine(Run("textgen", "train", "--data", Path.Combine(_dir, "nope.txt")), "--data: no such file: ", "nope.txt");
        AssertOneErrorLine(Run("textgen", "train", "--data", empty), empty, "is empty");
        AssertOneErrorLine(Run("textgen", "train", "--data", latin1), latin1, "invalid UTF-8 at byte offset 13 (line 2, 0xE9)");
    }

    [Fact]
    public void A_text_too_short_for_the_streams_names_the_options_to_change()
    {
        string tiny = Path.Combine(_dir, "tiny.txt");
        File.WriteAllText(tiny, "to be or not to be, that is the question\n");

        AssertOneErrorLine(Run("textgen", "train", "--data", tiny, "--out", _dir), "too short", "--batch", "--bptt");
    }

    [Fact]
    public void An_unknown_cell_is_a_usage_error()
    {
        var (code, _, error) = Run("textgen", "train", "--cell", "transformer");

        Assert.Equal(2, code);
        Assert.StartsWith("recur: error: ", error);
        Assert.Contains("transformer", error);
    }

    [Fact]
    public void A_failing_run_leaves_the_existing_model_and_plots_untouched()
    {
        string run = Path.Combine(_dir, "run");
        Assert.Equal(0, Train("--out", run).Code);
        var before = Directory.GetFiles(run).Order().Select(File.ReadAllBytes).ToArray();
        string latin1 = Path.Combine(_dir, "latin1.txt"), tiny = Path.Combine(_dir, "tiny.txt");
        File.WriteAllBytes(latin1, [0x61, 0xFF]);
        File.WriteAllText(tiny, "too short\n");

        Assert.Equal(1, Run("textgen", "train", "--data", latin1, "--out", run).Code);
        Assert.Equal(1, Run("textgen", "train", "--data", tiny, "--out", run).Code);

        Assert.Equal(before, Directory.GetFiles(run).Order().Select(File.ReadAllBytes).ToArray());
    }

    [Fact]
    public void Sampling_a_missing_or_non_model_file_is_one_error_line()
    {
        string text = Excerpt(_dir, Shakespeare, 100);

        AssertOneErrorLine(Run("textgen", "sample", "--model", Path.Combine(_dir, "nope.safetensors")), "no such model file", "nope.safetensors");
        AssertOneErrorLine(Run("textgen", "sample", "--model", text), text, "not a valid model file");
    }

    private (int Code, string Output, string Error) Train(params string[] extra) => Run(TrainArgs(extra));

    private string[] TrainArgs(params string[] extra) =>
    [
        "textgen", "train", "--data", Excerpt(_dir, Shakespeare, 6000), "--epochs", "2", "--hidden", "12", "--embedding", "8",
        "--batch", "4", "--bptt", "25", .. extra,
    ];
}
