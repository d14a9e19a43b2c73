namespace Recur.Cli.Common;

/// <summary>Saves a ScottPlot plot the way every command does: a PNG to look at and an SVG to put in a document, same size.</summary>
internal static class PlotFiles
{
    /// <summary>Writes <paramref name="folder"/>/<paramref name="name"/>.png and .svg; returns the two paths.</summary>
    public static string[] Save(ScottPlot.Plot plot, string folder, string name)
    {
        string png = Path.Combine(folder, name + ".png"), svg = Path.Combine(folder, name + ".svg");
        plot.SavePng(png, 800, 500);
        plot.SaveSvg(svg, 800, 500);
        return [png, svg];
    }
}
