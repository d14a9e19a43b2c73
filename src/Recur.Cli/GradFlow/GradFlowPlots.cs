using Recur.Cli.Common;
using ScottPlot;

namespace Recur.Cli.GradFlow;

/// <summary>
/// The lab's plots for one task and lag (PNG and SVG): ‖∂L/∂h_t‖ against t at initialisation and after training,
/// the validation loss over training, and the gates' saturation over training.
/// </summary>
internal static class GradFlowPlots
{
    private static readonly LabCell[] Cells = Enum.GetValues<LabCell>();
    private static readonly MarkerShape[] GateMarkers = [MarkerShape.FilledCircle, MarkerShape.OpenSquare, MarkerShape.OpenTriangleUp];

    /// <summary>
    /// Writes the plots of <paramref name="runs"/> (all of one task and lag) into <paramref name="folder"/>; returns
    /// their file names without extension. Only the init curves are drawn when no run was trained, and the gates only
    /// when an LSTM or GRU was.
    /// </summary>
    public static string[] Write(IReadOnlyList<RunResult> runs, string folder)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var task = runs[0].Task;
        var init = Flow(task, "at initialisation");
        var trained = Flow(task, "after training");
        var loss = NewPlot($"{task.Label}: validation loss (thick: clipping on; thin, light: off)", "training step", $"{task.LossName} (log scale)");
        var gates = NewPlot($"{task.Label}: saturated gate values (below 0.05 or above 0.95)", "training step", "share of the probe batch's gate values");
        foreach (var cell in Cells)
        {
            var color = CellColor(cell);
            var ofCell = runs.Where(r => r.Cell == cell).ToList();
            if (ofCell.Count == 0)
            {
                continue;
            }

            // Clipping does not change the initial weights: one init curve per cell.
            Line(init, Steps(ofCell[0].FlowAtInit.Length), Log10(ofCell[0].FlowAtInit), GradFlowLab.Name(cell), color);
            var ran = ofCell.Where(r => r.SkippedAfter is null).ToList();
            if (ran.Count == 0)
            {
                continue;
            }

            var shown = Preferred(ran);
            if (shown.FlowTrained.Length > 0)
            {
                Line(trained, Steps(shown.FlowTrained.Length), Log10(shown.FlowTrained), $"{GradFlowLab.Name(cell)}, clipping {(shown.Clip ? "on" : "off")}", color);
            }

            foreach (var run in ran)
            {
                var at = run.Checkpoints;
                Line(loss, at.Select(c => (double)c.Step).ToArray(), Log10(at.Select(c => c.Validation.Loss)),
                    $"{GradFlowLab.Name(cell)}, clip {(run.Clip ? "on" : "off")}", run.Clip ? color : color.Lighten(0.5), run.Clip ? 2 : 1);
            }

            for (int g = 0; g < shown.GateNames.Count; g++)
            {
                var at = shown.Checkpoints;
                Line(gates, at.Select(c => (double)c.Step).ToArray(), at.Select(c => c.GateSaturation[g]).ToArray(),
                    $"{GradFlowLab.Name(cell)} {shown.GateNames[g]}", color, marker: GateMarkers[g]);
            }
        }

        var baseline = loss.Add.HorizontalLine(Math.Log10(task switch
        {
            AddingTask => AddingProblem.BaselineMse,
            CopyTask => CopyMemory.BaselineCrossEntropy(task.Lag),
            _ => Math.Log(task.OutputSize),
        }));
        baseline.LegendText = task is SpliceTask ? "uniform guess, ln 3" : "memoryless baseline";
        baseline.Color = Colors.Black;
        LogAxis(loss);
        gates.Axes.SetLimitsY(-0.02, 1.02);

        bool anyTrained = runs.Any(r => r.SkippedAfter is null);
        bool anyGates = runs.Any(r => r.SkippedAfter is null && r.GateNames.Count > 0);
        var figures = new List<(Plot Plot, string Name)> { (init, "flow-init-" + task.Slug) };
        if (anyTrained)
        {
            figures.Add((trained, "flow-trained-" + task.Slug));
            figures.Add((loss, "loss-" + task.Slug));
        }

        if (anyGates)
        {
            figures.Add((gates, "gates-" + task.Slug));
        }

        foreach (var (plot, name) in figures)
        {
            plot.ShowLegend(Edge.Right);
            OutputFiles.SavePlot(plot, folder, name);
        }

        return figures.Select(f => f.Name).ToArray();
    }

    /// <summary>The run whose trained curve and gates are drawn for a cell: the one with clipping, if it ran.</summary>
    public static RunResult Preferred(IReadOnlyList<RunResult> ofCell) => ofCell.FirstOrDefault(r => r.Clip) ?? ofCell[0];

    private static Plot Flow(LabTask task, string when)
    {
        var plot = NewPlot($"{task.Label}: ‖∂L/∂h_t‖ on the probe batch {when}", "time step t (the loss is read at the end)", "‖∂L/∂h_t‖ (log scale)");
        LogAxis(plot);
        return plot;
    }

    private static Plot NewPlot(string title, string x, string y)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        return plot;
    }

    // Values are drawn as log10: ticks at whole powers of ten, labelled 1e-12 and so on.
    private static void LogAxis(Plot plot) => plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
    {
        MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
        IntegerTicksOnly = true,
        LabelFormatter = y => y == 0 ? "1" : $"1e{y:0}",
    };

    // Dashed lines are avoided: Skia's SVG writer does not support them (and says so on stderr).
    private static void Line(Plot plot, double[] x, double[] y, string legend, Color color, float width = 2, MarkerShape marker = MarkerShape.None)
    {
        // A norm that underflowed (or overflowed) has no point on a log scale: leave it out.
        var points = x.Zip(y).Where(p => double.IsFinite(p.Second)).ToArray();
        if (points.Length == 0)
        {
            return;
        }

        var line = plot.Add.Scatter(points.Select(p => p.First).ToArray(), points.Select(p => p.Second).ToArray());
        line.LegendText = legend;
        line.Color = color;
        line.LineWidth = width;
        line.MarkerShape = marker;
        line.MarkerSize = marker == MarkerShape.None ? 0 : 6;
    }

    private static double[] Steps(int count) => Enumerable.Range(0, count).Select(t => (double)t).ToArray();

    private static double[] Log10(IEnumerable<float> values) => Log10(values.Select(v => (double)v));

    private static double[] Log10(IEnumerable<double> values) => values.Select(v => v >= GradFlowReport.Underflow ? Math.Log10(v) : double.NaN).ToArray();

    private static Color CellColor(LabCell cell) => new ScottPlot.Palettes.Category10().GetColor((int)cell);
}
