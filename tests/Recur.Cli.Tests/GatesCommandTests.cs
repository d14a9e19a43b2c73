using System.Text.RegularExpressions;
using static Recur.Cli.Tests.Cli;

namespace Recur.Cli.Tests;

/// <summary>Small character models of each cell (and a word model, of another kind), trained once for the gates tests.</summary>
public sealed class GatesModels : IDisposable
{
    public GatesModels()
    {
        string data = Excerpt(Dir, "text/tinyshakespeare/input.txt", 6000);
        Lstm = Train("textgen", "lstm", data, "--layers", "2");
        Gru = Train("textgen", "gru", data);
        Rnn = Train("textgen", "rnn", data);
        Words = Train("nextword", "lstm", data);
    }

    public string Dir { get; } = Directory.CreateTempSubdirectory("recur-gates-tests-").FullName;

    /// <summary>Two stacked layers of 12 units.</summary>
    public string Lstm { get; }

    public string Gru { get; }

    public string Rnn { get; }

    /// <summary>A 'nextword' model: not a character model.</summary>
    public string Words { get; }

    public void Dispose() => Directory.Delete(Dir, recursive: true);

    private string Train(string command, string cell, string data, params string[] extra)
    {
        string run = Path.Combine(Dir, command + "-" + cell);
        var (code, _, error) = Run([command, "train", "--data", data, "--cell", cell, "--epochs", "1", "--hidden", "12", "--embedding", "8",
            "--batch", "4", "--bptt", "25", "--out", run, .. extra]);
        Assert.True(code == 0, error);
        return Path.Combine(run, "model.safetensors");
    }
}

/// <summary><c>recur gates</c> through the real command line.</summary>
public sealed class GatesCommandTests(GatesModels models) : IClassFixture<GatesModels>, IDisposable
{
    // Characters of the training text, a line break, and four it never saw (", <, >, &): read as <unk>, shown as they are.
    private const string Sample = "First Citizen:\nYou are \"all\" resolved <rather> to die & famish?\n";
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-gates-run-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_page_colours_every_character_of_the_escaped_text_once_per_unit()
    {
        string text = Path.Combine(_dir, "sample.txt");
        File.WriteAllText(text, Sample);

        var (code, output, error) = Gates("--model", models.Lstm, "--text", text, "--top", "3");

        Assert.True(code == 0, error);
        Assert.Contains("warning: not in the model's vocabulary, read as <unk>: '\"', '<', '>', '&'", error);
        Assert.Contains("LSTM layer 1 of 2, 12 units: cell state c, shown as tanh(c)", output);
        Assert.Contains("inside \"…\"", output); // a feature that varies over the sample
        string html = File.ReadAllText(Path.Combine(_dir, "out", "gates.html"));
        var units = Regex.Matches(html, "<section class=\"unit\" id=\"unit-(\\d+)\">");
        Assert.Equal(3, units.Count);
        foreach (string section in html.Split("<section class=\"unit\"")[1..])
        {
            var chars = Regex.Matches(section, "<span style=\"background:#[0-9a-f]{6}(;color:#fff)?\" title=\"char \\d+: c = -?\\d+\\.\\d{3}, tanh\\(c\\) = -?\\d+\\.\\d{3}\">([^<]*)</span>");
            Assert.Equal(Sample.Length, chars.Count);
            Assert.Equal(Sample.Replace("\n", "↵", StringComparison.Ordinal), System.Net.WebUtility.HtmlDecode(string.Concat(chars.Select(m => m.Groups[2].Value))));
        }

        foreach (string escaped in new[] { "&lt;", "&gt;", "&amp;", "&quot;" })
        {
            Assert.Contains($">{escaped}</span>", html);
        }

        Assert.DoesNotContain("<rather", html);
        Assert.DoesNotContain("http", html); // self-contained: nothing to fetch
    }

    [Fact]
    public void Given_units_are_shown_in_order_and_the_heatmap_is_written_as_png_and_svg()
    {
        var (code, output, error) = Gates("--model", models.Lstm, "--prime", Sample, "--units", "7,0,11", "--gate", "f", "--layer", "0");

        Assert.True(code == 0, error);
        Assert.Contains("LSTM layer 0 of 2, 12 units: forget gate f", output);
        string html = File.ReadAllText(Path.Combine(_dir, "out", "gates.html"));
        Assert.Equal(["7", "0", "11"], Regex.Matches(html, "<section class=\"unit\" id=\"unit-(\\d+)\">").Select(m => m.Groups[1].Value));
        Assert.Equal(3, Regex.Matches(output, @"^\s+\d+  chosen", RegexOptions.Multiline).Count);
        byte[] png = File.ReadAllBytes(Path.Combine(_dir, "out", "gates.png"));
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, png[..4]);
        Assert.True(png.Length > 5_000, $"a {png.Length}-byte PNG");
        string svg = File.ReadAllText(Path.Combine(_dir, "out", "gates.svg"));
        Assert.Contains("<svg", svg);
        Assert.True(svg.Length > 5_000, $"a {svg.Length}-character SVG");
        Assert.Equal(["gates.html", "gates.png", "gates.svg"], Directory.GetFiles(Path.Combine(_dir, "out")).Select(Path.GetFileName).Order());
    }

    [Theory]
    [InlineData("gru", "h", "GRU layer 0 of 1, 12 units: hidden state h")]
    [InlineData("gru", "z", "GRU layer 0 of 1, 12 units: update gate z")]
    [InlineData("rnn", "h", "RNN layer 0 of 1, 12 units: hidden state h")]
    public void Gru_and_rnn_models_show_their_own_quantities(string cell, string gate, string title)
    {
        var (code, output, error) = Gates("--model", cell == "gru" ? models.Gru : models.Rnn, "--prime", Sample, "--gate", gate, "--top", "12");

        Assert.True(code == 0, error);
        Assert.Contains(title, output);
        Assert.Equal(12, Regex.Matches(File.ReadAllText(Path.Combine(_dir, "out", "gates.html")), "<section class=\"unit\"").Count);
    }

    [Fact]
    public void Chars_and_start_cut_the_passage_of_the_file()
    {
        string text = Path.Combine(_dir, "sample.txt");
        File.WriteAllText(text, Sample);

        var (code, output, error) = Gates("--model", models.Rnn, "--text", text, "--start", "6", "--chars", "7", "--top", "1");

        Assert.True(code == 0, error);
        Assert.Contains("7 characters of " + text, output);
        string html = File.ReadAllText(Path.Combine(_dir, "out", "gates.html"));
        Assert.Contains(">C</span><span", html);
        Assert.Equal("Citizen", string.Concat(Regex.Matches(html, "title=\"char \\d+: h = [^\"]*\">([^<]*)</span>").Select(m => m.Groups[1].Value)));
    }

    [Fact]
    public void Bad_models_texts_gates_layers_and_units_are_one_error_line_each()
    {
        string empty = Path.Combine(_dir, "empty.txt");
        File.WriteAllText(empty, "");
        string missing = Path.Combine(_dir, "nope.safetensors");

        AssertOneErrorLine(Gates("--model", missing, "--prime", "a"), "no such model file", missing);
        AssertOneErrorLine(Gates("--model", models.Words, "--prime", "a"), models.Words, "'nextword' model", "'textgen'");
        AssertOneErrorLine(Gates("--model", models.Lstm, "--prime", "a", "--gate", "r"), "--gate r", "LSTM", "h, c, i, f, g, o");
        AssertOneErrorLine(Gates("--model", models.Gru, "--prime", "a", "--gate", "c"), "--gate c", "GRU", "h, r, z, n");
        AssertOneErrorLine(Gates("--model", models.Lstm, "--prime", "a", "--units", "3,12"), "--units 12", "12 units, 0 to 11");
        AssertOneErrorLine(Gates("--model", models.Lstm, "--prime", "a", "--layer", "2"), "--layer 2", "2 recurrent layers");
        AssertOneErrorLine(Gates("--model", models.Lstm, "--text", empty), empty, "empty");
        AssertOneErrorLine(Gates("--model", models.Lstm, "--text", Path.Combine(_dir, "nope.txt")), "--text: no such file", "nope.txt");
        AssertOneErrorLine(Gates("--model", models.Lstm, "--prime", ""), "--prime is empty");
        AssertOneErrorLine(Gates("--model", models.Lstm, "--prime", "<&>"), "none of its tokens is in the model's vocabulary");
        Assert.False(Directory.Exists(Path.Combine(_dir, "out")));
    }

    [Theory]
    [InlineData("--model", "m.safetensors")]                                       // no text
    [InlineData("--text", "a.txt", "--prime", "a")]                                 // two texts
    [InlineData("--prime", "a", "--units", "1", "--top", "2")]                      // two ways to choose units
    [InlineData("--prime", "a", "--units", "1,x")]
    [InlineData("--prime", "a", "--gate", "q")]
    [InlineData("--prime", "a", "--start", "3")]                                    // --start is for --text
    public void Contradictory_or_malformed_options_are_usage_errors(params string[] args)
    {
        var (code, _, error) = Run(["gates", .. args]);

        Assert.Equal(2, code);
        Assert.StartsWith("recur: error: ", error);
    }

    private (int Code, string Output, string Error) Gates(params string[] args) => Run(["gates", .. args, "--out", Path.Combine(_dir, "out")]);
}
