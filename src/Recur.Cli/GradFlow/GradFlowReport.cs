using System.Globalization;
using System.Net;
using System.Text;
using Recur.Cli.Common;
using static System.FormattableString;

namespace Recur.Cli.GradFlow;

/// <summary>
/// The lab's outputs in one folder: <c>index.html</c> (one self-contained page: tables, plots, explanations),
/// <c>results.md</c> (the tables in Markdown), <c>results.csv</c> (one row per run), <c>flow.csv</c> (every
/// ‖∂L/∂h_t‖), <c>curves.csv</c> (every evaluation during training) and <c>plots/</c>.
/// </summary>
internal static class GradFlowReport
{
    private static readonly LabCell[] Cells = Enum.GetValues<LabCell>();

    /// <summary>"solved at step 1,200 in 0:41 (test MSE 0.0063)", "diverged at step 312", ...</summary>
    public static string Outcome(RunResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        string test = r.Test is { } s ? Invariant($"test {r.Task.MetricName} {s.Metric:F4}") : "";
        return r switch
        {
            { SkippedAfter: { } lag } => Invariant($"not run: failed at T={lag}"),
            { DivergedStep: { } step } => Invariant($"diverged at step {step:N0} ({Clock(r.Seconds)})"),
            { SolvedStep: { } step } => Invariant($"solved at step {step:N0} in {Clock(r.SolvedSeconds!.Value)} ({test})"),
            { Stopped: true } => Invariant($"stopped (Ctrl+C) at step {r.Steps:N0} ({test})"),
            { Test.Solved: null } => Invariant($"{test} after {r.Steps:N0} steps in {Clock(r.Seconds)}"),
            _ => Invariant($"not solved in {r.Steps:N0} steps, {Clock(r.Seconds)} ({test})"),
        };
    }

    /// <summary>Writes everything into <paramref name="folder"/>; returns the paths of index.html, results.md, results.csv, flow.csv and curves.csv.</summary>
    public static string[] Write(IReadOnlyList<RunResult> results, LabSettings settings, string command, string folder)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(settings);
        string plots = Path.Combine(folder, "plots");
        Directory.CreateDirectory(plots);
        var experiments = results.GroupBy(r => r.Task).Select(g => (Task: g.Key, Runs: (IReadOnlyList<RunResult>)g.ToList())).ToList();
        var figures = experiments.Select(e => GradFlowPlots.Write(e.Runs, plots)).ToList();

        string[] paths = ["index.html", "results.md", "results.csv", "flow.csv", "curves.csv"];
        paths = paths.Select(p => Path.Combine(folder, p)).ToArray();
        OutputFiles.WriteText(paths[0], Html(experiments, figures, settings, command));
        OutputFiles.WriteText(paths[1], Markdown(results, settings, command));
        OutputFiles.WriteText(paths[2], ResultsCsv(results));
        OutputFiles.WriteText(paths[3], FlowCsv(results));
        OutputFiles.WriteText(paths[4], CurvesCsv(results));
        return paths;
    }

    /// <summary>"1:05" (minutes:seconds).</summary>
    public static string Clock(double seconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{(int)(seconds / 60)}:{(int)(seconds % 60):D2}");

    /// <summary>
    /// Norms below this are lost to float32 underflow: the gradients are then subnormal (below 1.2e-38 per element),
    /// imprecise and soon 0. Such values are neither drawn nor used in ratios.
    /// </summary>
    public const double Underflow = 1e-37;

    /// <summary>
    /// ‖∂L/∂h_0‖ / ‖∂L/∂h_{T-1}‖ of a curve: how much of the gradient at the last step reaches the first; 0 when the
    /// first underflowed, NaN when there is no curve.
    /// </summary>
    public static double FirstToLast(float[] flow) =>
        flow.Length == 0 || !(flow[^1] > 0) ? double.NaN : flow[0] < Underflow ? 0 : flow[0] / (double)flow[^1];

    /// <summary>The short entry of a run in the pivoted table: "✓ 1,100 steps, 0:16", "✗ 0.157", ...</summary>
    private static string Cell(RunResult r) => r switch
    {
        { SkippedAfter: { } lag } => Invariant($"– (✗ at T={lag})"),
        { DivergedStep: { } step } => Invariant($"diverged at step {step:N0}"),
        { SolvedStep: { } step } => Invariant($"✓ {step:N0} steps, {Clock(r.SolvedSeconds!.Value)}"),
        { Stopped: true } => "stopped",
        _ => Invariant($"✗ {r.Test!.Value.Metric:G3}, {Clock(r.Seconds)}"),
    };

    private static string Markdown(IReadOnlyList<RunResult> results, LabSettings settings, string command)
    {
        var md = new StringBuilder();
        md.Append("Measured with `").Append(command).Append("` (").Append(SettingsText(settings)).Append(").\n");
        foreach (var table in Tables(results))
        {
            md.Append('\n').Append("**").Append(table.Title).Append("**\n\n");
            md.Append("| ").AppendJoin(" | ", table.Header).Append(" |\n|").Append(string.Concat(table.Header.Select(_ => "---|"))).Append('\n');
            foreach (var row in table.Rows)
            {
                md.Append("| ").AppendJoin(" | ", row).Append(" |\n");
            }
        }

        return md.ToString();
    }

    private sealed record Table(string Title, string[] Header, List<string[]> Rows);

    /// <summary>Per synthetic task: cell × clipping against the lags; the real task: one row per run; the gradient that reaches step 0 at init.</summary>
    private static List<Table> Tables(IReadOnlyList<RunResult> results)
    {
        var tables = new List<Table>();
        foreach (var byName in results.GroupBy(r => r.Task.Name).Where(g => g.Key != "real"))
        {
            var lags = byName.Select(r => r.Task.Lag).Distinct().Order().ToArray();
            var first = byName.First().Task;
            string title = first is AddingTask
                ? Invariant($"Adding problem: ✓ = solved (validation MSE < {AddingProblem.SolvedMse}; steps and wall time to get there), ✗ = final test MSE (baseline {AddingProblem.BaselineMse:F3})")
                : Invariant($"Copy memory: ✓ = solved (validation recall accuracy ≥ {CopyMemory.SolvedAccuracy}), ✗ = final test recall accuracy (baseline 0.125)");
            var rows = byName.GroupBy(r => (r.Cell, r.Clip)).Select(g =>
                new[] { GradFlowLab.Name(g.Key.Cell), g.Key.Clip ? "on" : "off" }
                    .Concat(lags.Select(lag => g.FirstOrDefault(r => r.Task.Lag == lag) is { } r ? Cell(r) : "")).ToArray()).ToList();
            tables.Add(new Table(title, ["cell", "clipping", .. lags.Select(l => Invariant($"T={l}"))], rows));
        }

        var real = results.Where(r => r.Task is SpliceTask && r.SkippedAfter is null).ToList();
        if (real.Count > 0)
        {
            var task = (SpliceTask)real[0].Task;
            var rows = real.Select(r => new[]
            {
                GradFlowLab.Name(r.Cell), r.Clip ? "on" : "off",
                r.Test is { } s ? Invariant($"{s.Metric:F3}") : Outcome(r),
                Invariant($"{r.Steps:N0}"), Clock(r.Seconds),
            }).ToList();
            rows.Insert(0, ["majority class", "", Invariant($"{task.Majority:F3}"), "", ""]);
            tables.Add(new Table(Invariant($"Real task: {Path.GetFileName(task.Path)} ({task.TrainingCount:N0} training sequences of {task.Lag} nucleotides), test accuracy"),
                ["cell", "clipping", "test accuracy", "steps", "time"], rows));
        }

        var experiments = results.GroupBy(r => r.Task).ToList();
        var present = Cells.Where(c => results.Any(r => r.Cell == c)).ToArray();
        tables.Add(new Table("At initialisation: ‖∂L/∂h_0‖ / ‖∂L/∂h_{T-1}‖ on the probe batch, the share of the last step's gradient that reaches the first",
            ["task", .. present.Select(GradFlowLab.Name)],
            experiments.Select(e => new[] { e.Key.Label }.Concat(present.Select(c => e.FirstOrDefault(r => r.Cell == c) is { } r ? Ratio(FirstToLast(r.FlowAtInit)) : "")).ToArray()).ToList()));
        return tables;
    }

    private static string Ratio(double ratio) => ratio switch
    {
        double.NaN => "n/a",
        0 => "< 1e-37 (underflow)",
        _ => ratio.ToString(ratio is >= 0.01 and < 1000 ? "0.###" : "0.0e+0", CultureInfo.InvariantCulture),
    };

    private static string SettingsText(LabSettings s) => Invariant(
        $"one layer of {s.Hidden} units, Adam lr {s.LearningRate}, batch {s.Batch}, at most {s.Steps:N0} steps per adding/copy run and {s.Epochs} epoch{(s.Epochs == 1 ? "" : "s")} on the real task, validation every {s.EvalEvery} steps, clipping at global norm {s.ClipNorm}, seed {s.Seed}");

    private static string ResultsCsv(IReadOnlyList<RunResult> results)
    {
        var csv = new StringBuilder("task,lag,cell,clip,outcome,steps,solved_step,solved_seconds,diverged_step,test_loss,metric,test_metric,baseline,seconds,clipped_share,max_grad_norm,init_first_to_last\n");
        foreach (var r in results)
        {
            csv.AppendJoin(',',
                r.Task.Name, Num(r.Task.Lag), r.Cell.ToString().ToLowerInvariant(), r.Clip ? "on" : "off", Quote(Outcome(r)), Num(r.Steps),
                Num(r.SolvedStep), Num(r.SolvedSeconds), Num(r.DivergedStep), Num(r.Test?.Loss), Quote(r.Task.MetricName), Num(r.Test?.Metric),
                Quote(r.Task.Baseline), Num(r.Seconds), Num(r.ClippedShare), Num(r.MaxGradientNorm), Num(FirstToLast(r.FlowAtInit))).Append('\n');
        }

        return csv.ToString();
    }

    private static string FlowCsv(IReadOnlyList<RunResult> results)
    {
        var csv = new StringBuilder("task,lag,cell,clip,phase,t,dh_norm\n");
        foreach (var r in results)
        {
            foreach (var (phase, flow) in new[] { ("init", r.FlowAtInit), ("trained", r.FlowTrained) })
            {
                for (int t = 0; t < flow.Length; t++)
                {
                    csv.AppendJoin(',', r.Task.Name, Num(r.Task.Lag), r.Cell.ToString().ToLowerInvariant(), r.Clip ? "on" : "off", phase, Num(t), Num(flow[t])).Append('\n');
                }
            }
        }

        return csv.ToString();
    }

    private static string CurvesCsv(IReadOnlyList<RunResult> results)
    {
        string[] gates = ["input", "forget", "output", "reset", "update"];
        var csv = new StringBuilder("task,lag,cell,clip,step,seconds,train_loss,val_loss,val_metric").AppendJoin("", gates.Select(g => ",saturated_" + g)).Append('\n');
        foreach (var r in results)
        {
            foreach (var c in r.Checkpoints)
            {
                csv.AppendJoin(',', r.Task.Name, Num(r.Task.Lag), r.Cell.ToString().ToLowerInvariant(), r.Clip ? "on" : "off",
                    Num(c.Step), Num(c.Seconds), Num(c.TrainLoss), Num(c.Validation.Loss), Num(c.Validation.Metric));
                foreach (string gate in gates)
                {
                    int g = r.GateNames.ToList().IndexOf(gate);
                    csv.Append(',').Append(g >= 0 ? Num(c.GateSaturation[g]) : "");
                }

                csv.Append('\n');
            }
        }

        return csv.ToString();
    }

    private static string Num(double? value) => value is { } v && double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    private static string Quote(string text) => "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Html(List<(LabTask Task, IReadOnlyList<RunResult> Runs)> experiments, List<string[]> figures, LabSettings settings, string command)
    {
        var results = experiments.SelectMany(e => e.Runs).ToList();
        var html = new StringBuilder();
        html.Append("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Recur gradient-flow lab</title>
            <style>
            body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; line-height: 1.45; color: #222; }
            table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.92em; }
            th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: left; }
            th { background: #eee; }
            code, .eq { font-family: ui-monospace, monospace; background: #f4f4f4; padding: 0 0.2em; }
            .grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0.5em; }
            .grid img { width: 100%; border: 1px solid #ddd; }
            h2 { border-bottom: 1px solid #ccc; }
            </style></head><body>
            <h1>Gradient-flow lab</h1>

            """);
        html.Append("<p>Produced by <code>").Append(E(command)).Append("</code>: ").Append(E(SettingsText(settings))).Append(".</p>\n");
        html.Append(Explanation);
        html.Append("<h2>Results</h2>\n");
        foreach (var table in Tables(results))
        {
            html.Append("<p><b>").Append(E(table.Title)).Append("</b></p>\n<table><tr>");
            html.AppendJoin("", table.Header.Select(h => "<th>" + E(h) + "</th>")).Append("</tr>\n");
            foreach (var row in table.Rows)
            {
                html.Append("<tr>").AppendJoin("", row.Select(c => "<td>" + E(c) + "</td>")).Append("</tr>\n");
            }

            html.Append("</table>\n");
        }

        html.Append("<p>Every run, with its wall time, the share of steps that clipping scaled down and the largest gradient norm: <a href=\"results.csv\">results.csv</a>; ")
            .Append("every ‖∂L/∂h_t‖: <a href=\"flow.csv\">flow.csv</a>; every evaluation during training: <a href=\"curves.csv\">curves.csv</a>.</p>\n");
        for (int i = 0; i < experiments.Count; i++)
        {
            var (task, runs) = experiments[i];
            html.Append("<h2>").Append(E(task.Label)).Append("</h2>\n<p>").Append(E(Caption(task, runs))).Append("</p>\n<div class=\"grid\">\n");
            foreach (string figure in figures[i])
            {
                html.Append("<a href=\"plots/").Append(figure).Append(".svg\"><img src=\"plots/").Append(figure).Append(".png\" alt=\"").Append(E(figure)).Append("\"></a>\n");
            }

            html.Append("</div>\n");
        }

        return html.Append("</body></html>\n").ToString();
    }

    /// <summary>What the four plots of one experiment show, in numbers: the per-step factor of each cell's gradient at init and each outcome.</summary>
    private static string Caption(LabTask task, IReadOnlyList<RunResult> runs)
    {
        var parts = new List<string>();
        foreach (var cell in Cells)
        {
            var ofCell = runs.Where(r => r.Cell == cell).ToList();
            if (ofCell.Count == 0)
            {
                continue;
            }

            double ratio = FirstToLast(ofCell[0].FlowAtInit);
            int steps = ofCell[0].FlowAtInit.Length - 1;
            string factor = ratio > 0 && steps > 0 ? Invariant($" (×{Math.Pow(ratio, 1.0 / steps):F3} per step)") : "";
            double[] radii = ofCell[0].SpectralRadii;
            string rho = radii.Length == 1 ? Invariant($"ρ(W_hh) = {radii[0]:F2}; ") : "";
            parts.Add($"{GradFlowLab.Name(cell)}: {rho}at init {Ratio(ratio)} of the last step's gradient reaches t = 0{factor}; "
                + string.Join("; ", ofCell.Select(r => $"clipping {(r.Clip ? "on" : "off")}: {Outcome(r)}")));
        }

        string probe = task is CopyTask ? " The probe counts only the loss of the 10 recalled symbols, so ‖∂L/∂h_t‖ at the input steps is what crosses the lag." : "";
        return $"Baseline {task.Baseline}.{probe} " + string.Join(". ", parts) + ".";
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private const string Explanation = """
        <h2>The tasks and the cells</h2>
        <p><b>Adding problem</b> (Hochreiter &amp; Schmidhuber 1997; Le et al. 2015): T steps of two inputs, a value from U(0, 1)
        and a marker that is 1 at two steps, one in the first half and one in the second. After the last step the network
        must output the sum of the two marked values. Always answering 1 scores the variance of the sum, MSE 0.167; a run
        counts as solved once its validation MSE falls below 0.01 (then it stops, and the table gives the steps and wall
        time it took); the final figure is the test MSE on 1,000 other sequences.</p>
        <p><b>Copy memory</b> (Arjovsky et al. 2016): 10 symbols from 8, T − 1 blanks, a delimiter, 10 blanks; the network
        must output blanks, then the 10 symbols in order, so each must be held for T + 10 steps. The loss is the
        cross-entropy over all T + 20 steps; the memoryless strategy (blanks, then a random symbol) scores 10 ln 8 / (T + 20)
        and recalls 1 symbol in 8. Solved means 99% of the recalled symbols right.</p>
        <p><b>Real task</b>: the UCI primate splice junctions, 60 nucleotides read one-hot, three classes (exon→intron,
        intron→exon, neither). The junction is at position 30, so the evidence is about 30 steps before the end of the
        sequence. 70% of the 3,186 sequences train, 15% validate, 15% test; it runs a fixed number of epochs, with the
        majority class as baseline.</p>
        <p>Every cell is one recurrent layer and a Dense head, trained by Adam on fresh samples every step (the real task:
        shuffled passes over its training part), all cells on the same samples. The <b>RNN (tanh)</b> and the <b>GRU</b>
        keep PyTorch's initialisation; the <b>LSTM</b> too, except that its forget-gate bias is 1 (Keras' unit forget bias);
        the <b>IRNN</b> is a ReLU RNN with W_hh = I, zero biases and W_ih ~ N(0, 0.001²) (Le et al. 2015). To bound the
        lab's time, a cell that fails a lag (with the same clipping) is not trained at the longer lags of the same task
        (<code>--all-lags</code> trains it anyway); its gradient at initialisation is still measured and drawn. Wall
        times are of a shared 2-core machine and vary from run to run.</p>
        <h2>What the curves show</h2>
        <p><b>Plain RNN (tanh).</b> <span class="eq">h_t = tanh(W_ih x_t + W_hh h_{t-1} + b)</span>, so backpropagation through time
        multiplies the gradient by one Jacobian per step:
        <span class="eq">∂L/∂h_k = (W_hhᵀ diag(tanh'(a_{k+1}))) ⋯ (W_hhᵀ diag(tanh'(a_t))) ∂L/∂h_t</span>.
        With tanh' ≤ 1 and PyTorch's initialisation, U(−1/√H, 1/√H), whose spectral radius ρ(W_hh) is about
        1/√3 ≈ 0.58 (the captions give the measured one), every factor shrinks the gradient,
        so ‖∂L/∂h_k‖ falls geometrically with the lag t − k: a straight, falling line on the log-scale plots. The
        marker of the adding problem sits T/2 to T steps before the loss; once the gradient there is 10⁻¹⁰ of the last
        step's, the weights cannot learn to keep that value. Were the factors above 1 the same product would grow
        geometrically instead (explosion).</p>
        <p><b>IRNN (ReLU, W_hh = I).</b> With <span class="eq">h_t = max(0, W_ih x_t + W_hh h_{t-1})</span>, W_hh = I and zero
        biases, each Jacobian is <span class="eq">diag(1[a &gt; 0]) · I</span>: on the active units the gradient is copied
        unchanged, so the init curve is flat. Nothing bounds the product once training moves W_hh away from I (its
        spectral radius above 1 makes both state and gradient grow), which is where clipping matters.</p>
        <p><b>LSTM.</b> The cell state is updated additively, <span class="eq">c_t = f_t ⊙ c_{t-1} + i_t ⊙ c̃_t</span>, so the
        direct path back through time is <span class="eq">∂c_t/∂c_{t-1} = diag(f_t)</span>: no weight matrix and no squashing
        derivative, only the forget gate. The lab sets the forget-gate bias to 1 (f ≈ σ(1) = 0.73 at the start, against
        0.5 with PyTorch's zero bias, which halves the memory every step), so its init curve falls far more slowly than
        the RNN's: still geometrically, but by orders of magnitude less over the same lag (the captions give the
        factor per step). Training can then push the forget gates towards 1 (saturation in the gate plots) and
        flatten the curve.</p>
        <p><b>GRU.</b> <span class="eq">h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}</span> (PyTorch's form): the update gate
        interpolates, so <span class="eq">∂h_t/∂h_{t-1}</span> contains <span class="eq">diag(z_t)</span> plus terms through the
        gates and n_t. Where z_t → 1 the state, and its gradient, is carried through unchanged.</p>
        <p><b>Clipping.</b> Clipping by global norm, <span class="eq">g ← g · min(1, θ / ‖g‖)</span>, keeps the direction of the
        gradient and bounds the step: it rescues explosion (the IRNN without it can diverge), but it cannot restore a
        vanished gradient, so it changes little for the tanh RNN.</p>
        <p>In the plots, ‖∂L/∂h_t‖ is the Frobenius norm over the probe batch (32 fixed sequences) of the total gradient
        reaching h_t in one backward pass; for the LSTM it is the part BPTT carries in h (c_t held fixed). A norm below
        10⁻³⁷ is not drawn: the float32 gradients are then subnormal, imprecise, and soon exactly 0 ("underflow" in the tables). The loss plots show the validation loss every evaluation,
        with the memoryless baseline in black; the gate plots the share of sigmoid gate values below 0.05 or above 0.95 on the
        probe batch (LSTM input/forget/output, GRU reset/update).</p>

        """;
}
