using Recur.Cli.Common;

namespace Recur.Cli.Gates;

/// <summary>
/// The page's units × characters as one heatmap, <c>gates.png</c> and <c>gates.svg</c>: a row per unit (the first on
/// top), a column per character, in the page's colours. Its width grows with the text, up to 1,800 pixels: for a
/// long text it is an overview (a line-length counter shows as a saw tooth), the page has the detail.
/// </summary>
internal static class GatesHeatmap
{
    private const int MaxLabelledChars = 150; // beyond this the characters are too narrow to label; positions instead

    public static string[] Write(GatesView view, string folder)
    {
        int rows = view.Units.Count, steps = view.Chars.Count;
        var shown = new double[rows, steps];
        for (int k = 0; k < rows; k++)
        {
            for (int t = 0; t < steps; t++)
            {
                shown[k, t] = view.Shading.Shown(view.Values[k][t]);
            }
        }

        var plot = new ScottPlot.Plot();
        var heatmap = plot.Add.Heatmap(shown);
        heatmap.Colormap = view.Shading.Colormap;
        var (min, max) = view.Shading.Range;
        heatmap.ManualRange = new ScottPlot.Range(min, max);
        heatmap.Extent = new ScottPlot.CoordinateRect(0, steps, 0, rows);
        plot.Add.ColorBar(heatmap).Label = view.Shading.ShownAs;

        // Row k is drawn from the top: its centre is at y = rows - k - 0.5.
        double[] rowTicks = Enumerable.Range(0, rows).Select(k => rows - k - 0.5).ToArray();
        string[] rowLabels = view.Units.Select(u => u.Feature < 0
            ? $"{u.Unit}" : $"{u.Unit} {view.Features[u.Feature].Short} {UnitChoice.Format(u.Correlations[u.Feature])}").ToArray();
        plot.Axes.Left.SetTicks(rowTicks, rowLabels);
        if (steps <= MaxLabelledChars)
        {
            plot.Axes.Bottom.SetTicks(
                Enumerable.Range(0, steps).Select(t => t + 0.5).ToArray(),
                view.Chars.Select(c => c switch { "\n" => "↵", " " => "␣", "\t" => "→", _ => c }).ToArray());
        }

        plot.Axes.SetLimits(0, steps, 0, rows);
        plot.HideGrid();
        plot.Title(view.Title);
        plot.XLabel(steps <= MaxLabelledChars ? "character" : "character position");
        plot.YLabel("unit");

        int width = Math.Clamp(250 + 7 * steps, 800, 1800), height = Math.Max(300, 150 + 36 * rows);
        return OutputFiles.SavePlot(plot, folder, "gates", width, height);
    }
}
