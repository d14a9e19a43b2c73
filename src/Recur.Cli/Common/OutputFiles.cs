using System.Text;

namespace Recur.Cli.Common;

/// <summary>
/// Report files written atomically: each goes to a temporary file beside its destination, then is renamed over it,
/// so a run that fails or is killed leaves either the old file or the complete new one.
/// </summary>
internal static class OutputFiles
{
    /// <summary>Writes <paramref name="text"/> as UTF-8 (no byte-order mark) to <paramref name="path"/>.</summary>
    public static void WriteText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Replace(path, temp => File.WriteAllText(temp, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)));
    }

    /// <summary>Writes <paramref name="folder"/>/<paramref name="name"/>.png and .svg (800 × 500); returns the two paths.</summary>
    public static string[] SavePlot(ScottPlot.Plot plot, string folder, string name)
    {
        ArgumentNullException.ThrowIfNull(plot);
        string png = Path.Combine(folder, name + ".png"), svg = Path.Combine(folder, name + ".svg");
        Replace(png, temp => plot.SavePng(temp, 800, 500));
        Replace(svg, temp => plot.SaveSvg(temp, 800, 500));
        return [png, svg];
    }

    private static void Replace(string path, Action<string> write)
    {
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileNameWithoutExtension(full)}.{Path.GetRandomFileName()}{Path.GetExtension(full)}");
        try
        {
            write(temp);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            File.Delete(temp); // nothing left when the move succeeded; the partial file when it did not
        }
    }
}
