using System.Globalization;
using static Recur.Cli.Tests.Cli;

namespace Recur.Cli.Tests;

/// <summary>One small seq2seq model trained on the first verbs of the bundled set, shared by the tests.</summary>
public sealed class Seq2SeqModelFixture : IDisposable
{
    public Seq2SeqModelFixture()
    {
        var lines = File.ReadAllLines(Bundled("seq2seq/english-verb-inflection/en-verbs.tsv"));
        Data = Path.Combine(Dir, "verbs.tsv");
        File.WriteAllLines(Data, lines[..400]);
        var (code, output, error) = Run("seq2seq", "train", "--data", Data, "--epochs", "2", "--hidden", "16", "--embedding", "8",
            "--batch", "16", "--beam", "3", "--out", Path.Combine(Dir, "run"));
        Assert.True(code == 0, error);
        TrainOutput = output;
    }

    public string Dir { get; } = Directory.CreateTempSubdirectory("recur-seq2seq-tests-").FullName;

    public string Data { get; }

    public string Model => Path.Combine(Dir, "run", "model.safetensors");

    public string TrainOutput { get; }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}

/// <summary><c>recur seq2seq train|translate</c> through the real command line, good input and bad.</summary>
public sealed class Seq2SeqCommandTests(Seq2SeqModelFixture fixture) : IClassFixture<Seq2SeqModelFixture>
{
    private readonly string _dir = fixture.Dir;

    [Fact]
    public void Train_reports_test_word_accuracy_greedy_and_by_beam_with_examples_and_saves_model_and_plots()
    {
        string output = fixture.TrainOutput;

        Assert.Contains("lemma -> past", output);
        Assert.Contains("encoder (source read backwards)", output);
        Assert.Contains("train 319, validation 40, test 40", output);
        Assert.Matches(@"test word accuracy \(40 pairs, the whole output exactly right\): greedy \d+\.\d %, beam 3 \d+\.\d %", output);
        Assert.Matches(@"baseline: the target of the nearest training source by edit distance \d+\.\d %", output);
        Assert.Contains("examples (source -> expected -> greedy | beam 3):", output);
        Assert.True(File.Exists(fixture.Model));
        Assert.True(File.Exists(Path.Combine(_dir, "run", "loss.png")));
        Assert.False(File.Exists(Path.Combine(_dir, "run", "checkpoint.tmp.safetensors")));
        Assert.Contains("kind       seq2seq", Run("info", fixture.Model).Output);
    }

    [Fact]
    public void Translate_prints_one_output_per_source_and_beam_lists_k_hypotheses_with_log_probabilities()
    {
        var greedy = Run("seq2seq", "translate", "walk", "jump", "--model", fixture.Model);
        var beam = Run("seq2seq", "translate", "walk", "--beam", "3", "--model", fixture.Model);

        Assert.True(greedy.Code == 0, greedy.Error);
        var lines = greedy.Output.TrimEnd('\n').Split('\n'); // an untrained model may output nothing after the tab
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("walk\t", lines[0]);
        Assert.StartsWith("jump\t", lines[1]);
        Assert.True(beam.Code == 0, beam.Error);
        var rows = beam.Output.TrimEnd().Split('\n');
        Assert.Equal("walk", rows[0]);
        Assert.Equal(4, rows.Length);
        Assert.All(rows[1..], r => Assert.True(double.Parse(r.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1], CultureInfo.InvariantCulture) <= 0));
    }

    [Fact]
    public void Translate_reads_sources_from_an_input_file_one_per_line()
    {
        string input = Path.Combine(_dir, "input.txt");
        File.WriteAllText(input, "walk\n\nplay\n");

        var (code, output, error) = Run("seq2seq", "translate", "--input", input, "--model", fixture.Model);

        Assert.True(code == 0, error);
        Assert.Equal(["walk", "play"], output.TrimEnd().Split('\n').Select(l => l.Split('\t')[0]));
    }

    [Fact]
    public void Unknown_source_characters_are_read_as_unk_with_a_warning_and_a_source_of_only_unknown_ones_fails()
    {
        var partly = Run("seq2seq", "translate", "wälk", "--model", fixture.Model);
        var none = Run("seq2seq", "translate", "ßß", "--model", fixture.Model);

        Assert.Equal(0, partly.Code);
        Assert.Contains("warning: not in the model's vocabulary, read as <unk>: 'ä'", partly.Error);
        AssertOneErrorLine(none, "'ßß': none of its tokens is in the model's vocabulary");
    }

    [Fact]
    public void Missing_empty_and_non_utf8_files_and_bad_rows_are_one_error_line_naming_the_file_and_line()
    {
        string empty = Path.Combine(_dir, "empty.tsv"), latin1 = Path.Combine(_dir, "latin1.tsv"), ragged = Path.Combine(_dir, "ragged.tsv");
        File.WriteAllText(empty, "");
        File.WriteAllBytes(latin1, [.. "lemma\tpast\nwalk\twalked\ncaf"u8.ToArray(), 0xE9, .. "\tx\n"u8.ToArray()]);
        File.WriteAllText(ragged, "lemma\tpast\nwalk\twalked\njump\n");

        AssertOneErrorLine(Run("seq2seq", "train", "--data", Path.Combine(_dir, "nope.tsv")), "--data: no such file: ", "nope.tsv");
        AssertOneErrorLine(Run("seq2seq", "train", "--data", empty), empty, "is empty");
        AssertOneErrorLine(Run("seq2seq", "train", "--data", latin1), latin1, "invalid UTF-8", "(line 3, 0xE9)");
        AssertOneErrorLine(Run("seq2seq", "train", "--data", ragged), $"{ragged}:3: expected 2 tab-separated fields");
        File.WriteAllText(ragged, "lemma\tpast\nwalk\twalked\njump\tjumped\n");
        AssertOneErrorLine(Run("seq2seq", "train", "--data", ragged), ragged, "2 pairs are too few");
        AssertOneErrorLine(Run("seq2seq", "translate", "--input", latin1, "--model", fixture.Model), latin1, "(line 3, 0xE9)");
    }

    [Fact]
    public void A_missing_column_names_the_header_columns()
    {
        AssertOneErrorLine(Run("seq2seq", "train", "--data", fixture.Data, "--target-column", "future"),
            $"{fixture.Data}:1: --target-column 'future' is not a column", "lemma, present_3sg, present_participle, past, past_participle");
    }

    [Fact]
    public void A_model_of_another_kind_is_refused_both_ways()
    {
        string text = Excerpt(_dir, "text/tinyshakespeare/input.txt", 3000), run = Path.Combine(_dir, "textgen");
        Assert.Equal(0, Run("textgen", "train", "--data", text, "--epochs", "1", "--hidden", "8", "--embedding", "4", "--batch", "4",
            "--bptt", "20", "--out", run).Code);
        string textgen = Path.Combine(run, "model.safetensors");

        AssertOneErrorLine(Run("seq2seq", "translate", "walk", "--model", textgen), textgen, "is a 'textgen' model, not a 'seq2seq' model");
        AssertOneErrorLine(Run("textgen", "sample", "--model", fixture.Model), fixture.Model, "is a 'seq2seq' model, not a 'textgen' model");
        AssertOneErrorLine(Run("seq2seq", "translate", "walk", "--model", Path.Combine(_dir, "nope.safetensors")), "no such model file");
    }

    [Fact]
    public void Sources_must_come_from_arguments_or_input_not_both_nor_neither()
    {
        AssertOneErrorLine(Run("seq2seq", "translate", "--model", fixture.Model), "either as SOURCE arguments or with --input FILE");
        AssertOneErrorLine(Run("seq2seq", "translate", "walk", "--input", fixture.Data, "--model", fixture.Model), "either as SOURCE");
    }

    [Fact]
    public void A_failing_run_leaves_the_existing_model_and_plots_untouched()
    {
        string run = Path.Combine(_dir, "run");
        var before = Directory.GetFiles(run).Order().Select(File.ReadAllBytes).ToArray();
        string latin1 = Path.Combine(_dir, "bad.tsv");
        File.WriteAllBytes(latin1, [0x61, 0xFF]);

        Assert.Equal(1, Run("seq2seq", "train", "--data", latin1, "--out", run).Code);
        Assert.Equal(1, Run("seq2seq", "train", "--data", fixture.Data, "--source-column", "nope", "--out", run).Code);
        AssertOneErrorLine(Run("seq2seq", "train", "--data", fixture.Data, "--dropout", "0.2", "--out", run), "--dropout");

        Assert.Equal(before, Directory.GetFiles(run).Order().Select(File.ReadAllBytes).ToArray());
    }

    [Fact]
    public void Word_tokens_on_the_target_side_read_the_bundled_pronunciation_dictionary_and_translate_to_phonemes()
    {
        string cmu = Path.Combine(_dir, "cmu.tsv"), run = Path.Combine(_dir, "cmu");
        File.WriteAllLines(cmu, File.ReadLines(Bundled("seq2seq/cmudict/cmudict-subset.tsv")).Take(301));

        var (code, output, error) = Run("seq2seq", "train", "--data", cmu, "--source-column", "word", "--target-column", "phonemes",
            "--target-tokens", "word", "--epochs", "1", "--hidden", "8", "--embedding", "4", "--out", run);
        var translated = Run("seq2seq", "translate", "cat", "--model", Path.Combine(run, "model.safetensors"));

        Assert.True(code == 0, error);
        Assert.Matches(@"source \d+ char tokens, target \d+ word tokens", output);
        Assert.True(translated.Code == 0, translated.Error);
        Assert.Matches(@"^cat\t([A-Z]+[012]?( [A-Z]+[012]?)*)?\n$", translated.Output); // ARPAbet phonemes, one space apart
    }

    [Fact]
    public void The_baseline_answers_a_source_seen_in_training_with_its_target()
    {
        string pairs = Path.Combine(_dir, "repeated.tsv");
        File.WriteAllLines(pairs, ["word\tphonemes", .. Enumerable.Repeat(new[] { "cat\tK AE1 T", "dog\tD AO1 G", "bat\tB AE1 T" }, 10).SelectMany(r => r)]);

        var (code, output, error) = Run("seq2seq", "train", "--data", pairs, "--source-column", "word", "--target-column", "phonemes",
            "--target-tokens", "word", "--epochs", "1", "--hidden", "8", "--embedding", "4", "--out", Path.Combine(_dir, "repeated"));

        Assert.True(code == 0, error);
        Assert.Contains("source 9 char tokens, target 11 word tokens", output);
        Assert.Contains("baseline: the target of the nearest training source by edit distance 100.0 %", output);
    }

    [Fact]
    public void Max_train_subsamples_the_training_split_only_and_the_source_can_be_read_in_order()
    {
        string run = Path.Combine(_dir, "small");
        var (code, output, error) = Run("seq2seq", "train", "--data", fixture.Data, "--max-train", "50", "--reverse-source", "false", "--epochs", "1",
            "--hidden", "8", "--embedding", "4", "--beam", "2", "--out", run);

        Assert.True(code == 0, error);
        Assert.Contains("train 50, validation 40, test 40", output);
        Assert.DoesNotContain("backwards", output);
        Assert.Equal(0, Run("seq2seq", "translate", "walk", "--model", Path.Combine(run, "model.safetensors")).Code);
    }

    [Fact]
    public void Help_lists_the_options()
    {
        var (code, output, _) = Run("seq2seq", "train", "--help");

        Assert.Equal(0, code);
        foreach (string option in new[] { "--data", "--source-column", "--target-column", "--source-tokens", "--target-tokens", "--embedding", "--max-train", "--beam", "--cell", "--hidden", "--layers", "--out" })
        {
            Assert.Contains(option, output);
        }
    }
}
