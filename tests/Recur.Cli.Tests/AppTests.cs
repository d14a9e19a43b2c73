using Recur.Serialization;
using static Recur.Cli.Tests.Cli;

namespace Recur.Cli.Tests;

/// <summary>The <c>recur</c> commands run in-process, with their output captured.</summary>
public sealed class AppTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-cli-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Version_prints_the_version()
    {
        var (code, output, error) = Run("--version");

        Assert.Equal(0, code);
        Assert.Equal(App.Version, output.Trim());
        Assert.Matches(@"^\d+\.\d+\.\d+", output);
        Assert.Equal("", error);
    }

    [Fact]
    public void Info_names_runtime_cores_simd_and_threads()
    {
        var (code, output, _) = Run("info");

        Assert.Equal(0, code);
        foreach (string item in new[] { "recur", ".NET", "CPU cores", "Vector256", "Avx2", "Fma", "kernel threads" })
        {
            Assert.Contains(item, output);
        }
    }

    [Fact]
    public void A_one_epoch_demo_on_a_small_text_prints_progress_saves_the_model_and_plot_and_writes_a_sample()
    {
        string text = Path.Combine(_dir, "small.txt");
        string sonnets = File.ReadAllText(FindSonnets());
        File.WriteAllText(text, sonnets[..8000]);
        string outDir = Path.Combine(_dir, "run");

        var (code, output, error) = Run("demo", "--epochs", "1", "--hidden", "8", "--batch", "4", "--data", text, "--out", outDir);

        Assert.True(code == 0, error);
        Assert.Contains("epoch 1/1  loss ", output);
        Assert.Contains("unigram", output);
        Assert.Contains("sample (temperature 0.8", output);
        foreach (string file in new[] { "model.safetensors", "loss.png", "loss.svg" })
        {
            Assert.True(File.Exists(Path.Combine(outDir, file)), file);
        }

        // The demo's model is a textgen model: recur info and textgen sample read it.
        var info = Run("info", Path.Combine(outDir, "model.safetensors"));
        Assert.True(info.Code == 0, info.Error);
        Assert.Contains("textgen", info.Output);
    }

    [Fact]
    public void A_missing_data_file_is_one_error_line_and_a_failure_code()
    {
        var (code, output, error) = Run("demo", "--data", Path.Combine(_dir, "nope.txt"), "--out", _dir);

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal($"recur: error: --data: no such file: {Path.Combine(_dir, "nope.txt")}", error.TrimEnd());
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("demo", "--epochs", "0")]
    [InlineData("demo", "--epochs", "many")]
    public void Bad_usage_is_one_error_line_and_exit_code_2(params string[] args)
    {
        var (code, _, error) = Run(args);

        Assert.Equal(2, code);
        Assert.StartsWith("recur: error: ", error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public void A_value_outside_the_choices_is_one_line_naming_the_option_and_the_choices()
    {
        var (code, _, error) = Run("textgen", "train", "--cell", "bogus");

        Assert.Equal(2, code);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains("--cell: Argument 'bogus' not recognized. Must be one of: 'rnn', 'lstm', 'gru'", error);
    }

    [Fact]
    public void A_text_too_short_for_the_batch_is_one_error_line()
    {
        string text = Path.Combine(_dir, "tiny.txt");
        File.WriteAllText(text, "to be or not to be");

        var (code, _, error) = Run("demo", "--data", text, "--out", _dir);

        Assert.Equal(1, code);
        Assert.StartsWith("recur: error: the training text is too short", error);
    }

    /// <summary>The bundled sonnets, found the way the demo finds them.</summary>
    private static string FindSonnets() => Bundled("text/shakespeare-sonnets/sonnets.txt");
}
