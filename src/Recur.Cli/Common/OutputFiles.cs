using System.Text;
using Recur.Serialization;

namespace Recur.Cli.Common;

/// <summary>
/// Every file a command writes besides its model (reports, tables, plots) goes through here, atomically as the model
/// files are (<see cref="AtomicFile"/>: a temporary file beside the target, flushed, then renamed over it), so a run
/// that fails or is killed leaves either the old file or the complete new one.
/// </summary>
internal static class OutputFiles
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no byte-order mark) to <paramref name="path"/>.</summary>
    public static void WriteText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        WriteBytes(path, Utf8.GetBytes(text));
    }

    public static void WriteBytes(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>
    /// Writes <paramref name="folder"/>/<paramref name="name"/>.png (to look at) and .svg (to put in a document), the
    /// same size; returns the two paths.
    /// </summary>
    public static string[] SavePlot(ScottPlot.Plot plot, string folder, string name, int width = 800, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(plot);
        string png = Path.Combine(folder, name + ".png"), svg = Path.Combine(folder, name + ".svg");
        WriteBytes(png, plot.GetImageBytes(width, height, ScottPlot.ImageFormat.Png));
        WriteText(svg, plot.GetSvgXml(width, height));
        return [png, svg];
    }
}
