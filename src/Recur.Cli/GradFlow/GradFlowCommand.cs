using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Recur.Cli.Common;
using static System.FormattableString;

namespace Recur.Cli.GradFlow;

/// <summary>
/// <c>recur gradflow</c>: the gradient-flow lab. Trains RNN (tanh), IRNN, LSTM and GRU, with and without clipping,
/// on the adding problem and the copy-memory task at several lags and on DNA splice junctions; records
/// ‖∂L/∂h_t‖ through time, loss curves and gate saturation; writes plots, CSVs and a one-page HTML report.
/// </summary>
internal static class GradFlowCommand
{
    private const string BundledData = "sequences/dna-splice/dna-splice.csv";
    private static readonly string[] CellNames = ["rnn", "irnn", "lstm", "gru"];

    /// <summary>The full lab's settings, and the <c>--quick</c> preset's (a smoke test of every part in seconds).</summary>
    private sealed record Preset(string Lags, int Steps, int Epochs, int Batch, int Hidden, int EvalEvery, int Validation, int Test);

    private static readonly Preset Full = new("50,100,200,400", Steps: 3000, Epochs: 20, Batch: 32, Hidden: 64, EvalEvery: 100, Validation: 256, Test: 1000);
    private static readonly Preset Quick = new("10,20", Steps: 40, Epochs: 1, Batch: 16, Hidden: 16, EvalEvery: 20, Validation: 64, Test: 128);
    private const int ProbeSize = 32;

    public static Command Create(CliContext cli)
    {
        var task = new Option<string>("--task") { Description = "adding, copy, real (DNA splice junctions) or all", DefaultValueFactory = _ => "all" };
        var lags = new Option<string?>("--lags") { Description = $"Lags T of the adding and copy tasks, comma-separated (default {Full.Lags}; --quick {Quick.Lags})" };
        var cells = new Option<string>("--cells") { Description = "Cells to compare, comma-separated: rnn (tanh), irnn (ReLU, identity init), lstm, gru", DefaultValueFactory = _ => string.Join(',', CellNames) };
        var clip = new Option<string>("--clip") { Description = "Global-norm gradient clipping: on, off or both (every run twice)", DefaultValueFactory = _ => "both" };
        var clipNorm = new Option<float>("--clip-norm") { Description = "The clipping threshold on the global gradient norm", DefaultValueFactory = _ => 1f };
        var steps = new Option<int?>("--steps") { Description = $"Most Adam steps per adding/copy run; a run stops once solved (default {Full.Steps}; --quick {Quick.Steps})" };
        var epochs = new Option<int?>("--epochs") { Description = $"Passes over the real task's training part (default {Full.Epochs}; --quick {Quick.Epochs})" };
        var batch = new Option<int?>("--batch") { Description = $"Sequences per step (default {Full.Batch}; --quick {Quick.Batch})" };
        var hidden = new Option<int?>("--hidden") { Description = $"Hidden units (default {Full.Hidden}; --quick {Quick.Hidden})" };
        var lr = new Option<float>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => 1e-2f };
        var evalEvery = new Option<int?>("--eval-every") { Description = $"Steps between validations, which decide early stopping (default {Full.EvalEvery}; --quick {Quick.EvalEvery})" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the data and the initialisation", DefaultValueFactory = _ => 1 };
        var data = new Option<string?>("--data") { Description = "The real task's CSV, header 'sequence,class' (default: the bundled DNA splice junctions)" };
        var output = new Option<string>("--out") { Description = "Folder for index.html, the CSVs and the plots", DefaultValueFactory = _ => Path.Combine("runs", "gradflow") };
        var quick = new Option<bool>("--quick") { Description = "A tiny lab (lags 10 and 20, a few steps, every lag trained) that checks every part in seconds" };
        var allLags = new Option<bool>("--all-lags") { Description = "Train every cell at every lag; by default a cell that fails a lag (with the same clipping) is not trained at the longer ones, only its gradient at init is measured" };
        // One validator for the single choices and the comma-separated lists, so every message reads alike.
        task.Validators.Add(r => CheckList(r, s => s is "adding" or "copy" or "real" or "all", "one of adding, copy, real, all", single: true));
        clip.Validators.Add(r => CheckList(r, s => s is "on" or "off" or "both", "one of on, off, both", single: true));
        lags.Validators.Add(r => CheckList(r, s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int lag) && lag >= 2,
            "a whole number of at least 2"));
        cells.Validators.Add(r => CheckList(r, s => CellNames.Contains(s), "one of " + string.Join(", ", CellNames)));
        foreach (var option in new[] { steps, epochs, batch, hidden, evalEvery })
        {
            option.Validators.Add(OptionChecks.Positive);
        }

        clipNorm.Validators.Add(OptionChecks.PositiveReal);
        lr.Validators.Add(OptionChecks.PositiveReal);

        var command = new Command("gradflow",
            "The gradient-flow lab: which cell learns which lag, and why. RNN, IRNN, LSTM and GRU on the adding and copy-memory tasks and a real sequence task, with and without clipping; plots and an HTML report in --out.")
        {
            task, lags, cells, clip, clipNorm, steps, epochs, batch, hidden, lr, evalEvery, seed, data, output, quick, allLags,
        };
        command.SetAction(parsed =>
        {
            var preset = parsed.GetValue(quick) ? Quick : Full;
            var settings = new LabSettings(
                parsed.GetValue(steps) ?? preset.Steps, parsed.GetValue(epochs) ?? preset.Epochs, parsed.GetValue(batch) ?? preset.Batch,
                parsed.GetValue(hidden) ?? preset.Hidden, parsed.GetValue(lr), parsed.GetValue(clipNorm), parsed.GetValue(evalEvery) ?? preset.EvalEvery,
                parsed.GetValue(seed));
            string which = parsed.GetValue(task)!;
            int[] lagList = Split(parsed.GetValue(lags) ?? preset.Lags).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Distinct().Order().ToArray();
            var cellList = Split(parsed.GetValue(cells)!).Distinct().Select(s => Enum.Parse<LabCell>(s, ignoreCase: true)).ToArray();
            bool[] clips = parsed.GetValue(clip) switch { "on" => [true], "off" => [false], _ => [true, false] };

            var tasks = new List<LabTask>();
            foreach (int lag in which is "adding" or "all" ? lagList : [])
            {
                tasks.Add(new AddingTask(lag, settings.Seed, preset.Validation, preset.Test, ProbeSize));
            }

            foreach (int lag in which is "copy" or "all" ? lagList : [])
            {
                tasks.Add(new CopyTask(lag, settings.Seed, preset.Validation, preset.Test, ProbeSize));
            }

            if (which is "real" or "all")
            {
                tasks.Add(SpliceTask.Read(parsed.GetValue(data) ?? RepositoryData.Find(BundledData), settings.Seed, ProbeSize));
            }

            string commandLine = "recur " + string.Join(' ', parsed.Tokens.Select(t => t.Value));
            Run(tasks, cellList, clips, settings, !parsed.GetValue(allLags) && !parsed.GetValue(quick), commandLine, parsed.GetValue(output)!, cli);
        });
        return command;
    }

    private static void Run(List<LabTask> tasks, LabCell[] cells, bool[] clips, LabSettings settings, bool skipAfterFailure, string commandLine, string folder, CliContext cli)
    {
        var output = cli.Output;
        int total = tasks.Count * cells.Length * clips.Length;
        output.WriteLine($"recur gradflow: {total} runs ({string.Join(", ", tasks.Select(t => t.Label))}) x ({string.Join(", ", cells.Select(GradFlowLab.Name))}) x clipping {string.Join("/", clips.Select(c => c ? "on" : "off"))}");
        output.WriteLine(Invariant(
            $"  each run: one layer of {settings.Hidden}, Adam lr {settings.LearningRate}, batch {settings.Batch}, at most {settings.Steps} steps (real task: {settings.Epochs} epoch{(settings.Epochs == 1 ? "" : "s")}), validation every {settings.EvalEvery} steps, clip-norm {settings.ClipNorm}, seed {settings.Seed}"));
        Directory.CreateDirectory(folder);
        var results = new List<RunResult>();
        foreach (var task in tasks)
        {
            foreach (var cell in cells)
            {
                foreach (bool clip in clips)
                {
                    if (cli.Cancellation.IsCancellationRequested)
                    {
                        break;
                    }

                    // Lags run in increasing order: a failure at a shorter lag of the same task predicts failure here.
                    var failed = results.LastOrDefault(r => r.Task.Name == task.Name && r.Cell == cell && r.Clip == clip && Failed(r));
                    var result = skipAfterFailure && failed is not null
                        ? GradFlowLab.Skip(task, cell, clip, settings, failed.SkippedAfter ?? failed.Task.Lag)
                        : GradFlowLab.Run(task, cell, clip, settings, cli.Cancellation);
                    results.Add(result);
                    output.WriteLine(Invariant($"[{results.Count,3}/{total}] {task.Label,-13} {GradFlowLab.Name(cell),-10} clip {(clip ? "on " : "off")}  {GradFlowReport.Outcome(result)}"));
                }
            }
        }

        if (cli.Cancellation.IsCancellationRequested)
        {
            output.WriteLine($"stopped (Ctrl+C) after {results.Count} of {total} runs; the report covers those");
        }

        if (results.Count == 0)
        {
            throw new CliException("stopped before the first run ended; nothing was written");
        }

        var files = GradFlowReport.Write(results, settings, commandLine, folder);
        output.WriteLine($"report {files[0]}; tables {string.Join(", ", files.Skip(1))}; plots in {Path.Combine(folder, "plots")}");
    }

    // Solved is decided on the validation set (as the table's ✓); a task without a criterion never fails.
    private static bool Failed(RunResult r) =>
        r.SkippedAfter is not null || r.DivergedStep is not null || (r.SolvedStep is null && !r.Stopped && r.Test?.Solved is not null);

    private static string[] Split(string list) => list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Checks each comma-separated value of the option (or the one value, if <paramref name="single"/>).</summary>
    private static void CheckList(OptionResult result, Func<string, bool> valid, string expected, bool single = false)
    {
        if (result.Tokens.Count != 1)
        {
            return;
        }

        string[] items = single ? [result.Tokens[0].Value] : Split(result.Tokens[0].Value);
        string? bad = items.FirstOrDefault(s => !valid(s));
        if (items.Length == 0)
        {
            result.AddError($"{result.Option.Name} needs at least one value");
        }
        else if (bad is not null)
        {
            result.AddError($"{result.Option.Name}: '{bad}' is not {expected}");
        }
    }
}
