using System.Globalization;
using Recur.Cli.GradFlow;
using static Recur.Cli.Tests.Cli;

namespace Recur.Cli.Tests;

/// <summary><c>recur gradflow</c>: a <c>--quick</c> lab through the CLI, bad options, the task generators and the gradient curves.</summary>
public sealed class GradFlowCommandTests : IDisposable
{
    private const string Splice = "sequences/dna-splice/dna-splice.csv";
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-gradflow-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string[] Quick(params string[] options) => ["gradflow", "--quick", "--data", Bundled(Splice), .. options];

    [Fact]
    public void A_quick_lab_writes_the_report_the_tables_and_four_plots_per_task_and_lag()
    {
        string folder = Path.Combine(_dir, "lab");

        var (code, output, error) = Run(Quick("--out", folder));

        Assert.True(code == 0, error);
        Assert.Equal("", error);
        Assert.Contains("recur gradflow: 40 runs (adding T=10, adding T=20, copy T=10, copy T=20, real T=60)", output);
        string[] rows = File.ReadAllLines(Path.Combine(folder, "results.csv"))[1..];
        var runs = rows.Select(r => r.Split(',')).Select(f => (Task: f[0], Lag: f[1], Cell: f[2], Clip: f[3])).ToList();
        Assert.Equal(40, runs.Distinct().Count());
        foreach (string task in new[] { "adding", "copy" })
        {
            foreach (string cell in new[] { "rnn", "irnn", "lstm", "gru" })
            {
                foreach (string lag in new[] { "10", "20" })
                {
                    Assert.Equal(2, runs.Count(r => r.Task == task && r.Cell == cell && r.Lag == lag));
                }
            }
        }

        Assert.Equal(8, runs.Count(r => r.Task == "real" && r.Lag == "60"));
        string html = File.ReadAllText(Path.Combine(folder, "index.html"));
        foreach (string slug in new[] { "adding-T10", "adding-T20", "copy-T10", "copy-T20", "real-T60" })
        {
            foreach (string kind in new[] { "flow-init", "flow-trained", "loss", "gates" })
            {
                string name = $"{kind}-{slug}";
                Assert.True(File.Exists(Path.Combine(folder, "plots", name + ".png")), name);
                Assert.True(File.Exists(Path.Combine(folder, "plots", name + ".svg")), name);
                Assert.Contains($"<img src=\"plots/{name}.png\"", html);
            }
        }

        // One self-contained page: no scripts, nothing fetched from elsewhere; the table and the equations are in it.
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("http", html);
        Assert.Contains("c_t = f_t ⊙ c_{t-1} + i_t ⊙ c̃_t", html);
        Assert.Contains("<td>LSTM</td>", html);
        Assert.Contains("| RNN (tanh) | on |", File.ReadAllText(Path.Combine(folder, "results.md")));
        Assert.Contains("adding,10,lstm,on,init,9,", File.ReadAllText(Path.Combine(folder, "flow.csv")));
        Assert.Empty(Directory.GetFiles(folder, ".*", SearchOption.AllDirectories)); // no temporary file left
    }

    [Fact]
    public void A_cell_that_fails_a_lag_is_not_trained_at_the_longer_ones_unless_all_lags_is_given()
    {
        string[] options = ["gradflow", "--task", "adding", "--lags", "20,10", "--cells", "rnn", "--clip", "on", "--steps", "10", "--eval-every", "10", "--hidden", "8"];

        var skipping = Run([.. options, "--out", Path.Combine(_dir, "skip")]);
        var all = Run([.. options, "--all-lags", "--out", Path.Combine(_dir, "all")]);

        Assert.True(skipping.Code == 0, skipping.Error);
        Assert.Matches(@"adding T=10 +RNN \(tanh\) clip on +not solved in 10 steps", skipping.Output);
        Assert.Matches(@"adding T=20 +RNN \(tanh\) clip on +not run: failed at T=10", skipping.Output);
        Assert.True(File.Exists(Path.Combine(_dir, "skip", "plots", "flow-init-adding-T20.png")));  // the gradient at init is still measured
        Assert.False(File.Exists(Path.Combine(_dir, "skip", "plots", "loss-adding-T20.png")));
        Assert.True(all.Code == 0, all.Error);
        Assert.Matches(@"adding T=20 +RNN \(tanh\) clip on +not solved in 10 steps", all.Output);
    }

    [Fact]
    public void A_run_that_diverges_is_reported_with_its_step_and_the_lab_goes_on()
    {
        string folder = Path.Combine(_dir, "diverge");

        // An IRNN without clipping at a learning rate of 10: W_hh leaves the identity and the state explodes.
        var (code, output, error) = Run(Quick("--task", "adding", "--lags", "20", "--cells", "irnn,lstm", "--clip", "off", "--lr", "10", "--out", folder));

        Assert.True(code == 0, error);
        Assert.Matches(@"adding T=20 +IRNN +clip off +diverged at step \d+", output);
        Assert.Contains("adding T=20   LSTM", output);
        Assert.Contains("diverged at step", File.ReadAllText(Path.Combine(folder, "results.md")));
    }

    [Theory]
    [InlineData("'5x' is not a whole number of at least 2", "--lags", "50,5x")]
    [InlineData("'1' is not a whole number of at least 2", "--lags", "1")]
    [InlineData("--lags needs at least one value", "--lags", ",")]
    [InlineData("'tanh' is not one of rnn, irnn, lstm, gru", "--cells", "lstm,tanh")]
    [InlineData("--clip: 'sometimes' is not one of on, off, both", "--clip", "sometimes")]
    [InlineData("--task: 'sum' is not one of adding, copy, real, all", "--task", "sum")]
    [InlineData("--steps must be at least 1, got 0", "--steps", "0")]
    [InlineData("--epochs must be at least 1, got 0", "--epochs", "0")]
    [InlineData("--batch must be at least 1, got -3", "--batch", "-3")]
    [InlineData("--hidden must be at least 1, got 0", "--hidden", "0")]
    [InlineData("--eval-every must be at least 1, got 0", "--eval-every", "0")]
    [InlineData("--lr must be a number above 0, got 0", "--lr", "0")]
    [InlineData("--clip-norm must be a number above 0, got -1", "--clip-norm", "-1")]
    public void A_bad_option_is_one_usage_error_line(string message, params string[] option)
    {
        var (code, output, error) = Run(["gradflow", .. option]);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("recur: error: ", error);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains(message, error);
    }

    [Fact]
    public void A_missing_or_malformed_real_task_file_is_one_error_line_naming_it()
    {
        string missing = Path.Combine(_dir, "nope.csv"), bad = Path.Combine(_dir, "bad.csv");
        File.WriteAllText(bad, "sequence,class\nACGT,n\nACXT,ei\n");

        AssertOneErrorLine(Run("gradflow", "--task", "real", "--data", missing), "--data: no such file", missing);
        AssertOneErrorLine(Run("gradflow", "--task", "real", "--data", bad), $"{bad}:3: 'X' at position 3 is not one of A, C, G, T");
    }

    [Fact]
    public void Adding_problem_targets_are_the_sum_of_the_two_marked_values_one_marker_in_each_half()
    {
        var data = AddingProblem.Generate(200, 31, new Rng(5));

        Assert.Equal([200, 31, 2], data.Inputs.Shape.ToArray());
        Assert.Equal([200, 1], data.Targets.Shape.ToArray());
        float[] x = data.Inputs.Span.ToArray(); // (N, T, 2): value, marker
        for (int n = 0; n < 200; n++)
        {
            var marked = Enumerable.Range(0, 31).Where(t => x[(n * 31 + t) * 2 + 1] != 0).ToArray();
            Assert.Equal(2, marked.Length);
            Assert.InRange(marked[0], 0, 14);   // first half: t < T/2 = 15
            Assert.InRange(marked[1], 15, 30);
            Assert.All(marked, t => Assert.Equal(1f, x[(n * 31 + t) * 2 + 1]));
            Assert.All(Enumerable.Range(0, 31), t => Assert.InRange(x[(n * 31 + t) * 2], 0f, 1f));
            Assert.Equal(x[(n * 31 + marked[0]) * 2] + x[(n * 31 + marked[1]) * 2], data.Targets.Span[n]);
        }

        // Seeded: the same seed gives the same samples.
        Assert.Equal(data.Inputs.Span.ToArray(), AddingProblem.Generate(200, 31, new Rng(5)).Inputs.Span.ToArray());
    }

    [Fact]
    public void Copy_memory_sequences_are_ten_symbols_blanks_the_delimiter_and_blanks_and_the_targets_recall_the_symbols_at_the_end()
    {
        const int lag = 25, length = lag + 20;
        var data = CopyMemory.Generate(50, lag, new Rng(3));

        Assert.Equal([50, length, 10], data.Inputs.Shape.ToArray());
        Assert.Equal([50, length], data.Targets.Shape.ToArray());
        for (int n = 0; n < 50; n++)
        {
            var symbols = Enumerable.Range(0, length).Select(t =>
            {
                var row = data.Inputs.Span.Slice((n * length + t) * 10, 10).ToArray();
                Assert.Equal(1f, row.Sum()); // one-hot
                return Array.IndexOf(row, 1f);
            }).ToArray();
            var targets = data.Targets.Span.Slice(n * length, length).ToArray().Select(v => (int)v).ToArray();

            Assert.All(symbols[..10], s => Assert.InRange(s, 1, 8));
            Assert.All(symbols[10..(lag + 9)], s => Assert.Equal(0, s));
            Assert.Equal(9, symbols[lag + 9]);                      // the delimiter, T + 10 steps before the last
            Assert.All(symbols[(lag + 10)..], s => Assert.Equal(0, s));
            Assert.All(targets[..(lag + 10)], y => Assert.Equal(0, y));
            Assert.Equal(symbols[..10], targets[(lag + 10)..]);     // the symbols in order, after the delimiter
        }

        Assert.Equal(10 * Math.Log(8) / length, CopyMemory.BaselineCrossEntropy(lag), 12);
    }

    [Fact]
    public void At_init_on_adding_T100_the_tanh_rnn_gradient_at_the_first_step_is_orders_of_magnitude_below_the_lstm_and_irnn_ones()
    {
        var task = new AddingTask(100, seed: 1, validation: 1, test: 1, probe: 32);
        var settings = new LabSettings(Steps: 1, Epochs: 1, Batch: 32, Hidden: 64, LearningRate: 1e-2f, ClipNorm: 1, EvalEvery: 1, Seed: 1);

        var ratio = Enum.GetValues<LabCell>().ToDictionary(c => c, c => GradFlowReport.FirstToLast(GradFlowLab.Skip(task, c, true, settings, 0).FlowAtInit));

        // tanh RNN: ρ(W_hh) ≈ 0.58 at PyTorch's init, so the 99 Jacobians shrink the gradient below 1e-15 of the last step's.
        Assert.InRange(ratio[LabCell.Rnn], 0, 1e-15);
        // The LSTM's forget path (f ≈ σ(1)) keeps millions of times more; the IRNN (W_hh = I) keeps it all within a factor of a few.
        Assert.True(ratio[LabCell.Lstm] > 1e6 * ratio[LabCell.Rnn], string.Create(CultureInfo.InvariantCulture, $"LSTM {ratio[LabCell.Lstm]:G3}, RNN {ratio[LabCell.Rnn]:G3}"));
        Assert.InRange(ratio[LabCell.Irnn], 0.1, 10);
    }
}
