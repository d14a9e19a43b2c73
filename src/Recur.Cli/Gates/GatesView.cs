using System.Globalization;
using System.Net;
using System.Text;

namespace Recur.Cli.Gates;

/// <summary>
/// What <c>recur gates</c> shows: one quantity of one recurrent layer over a text, for some units, with the features
/// each unit correlates with; written as a self-contained coloured-text page (<see cref="Html"/>).
/// </summary>
/// <param name="Title">E.g. "LSTM layer 0 of 2, 256 units: cell state c".</param>
/// <param name="Source">Where the text came from, e.g. "600 characters of input.txt from character 0".</param>
/// <param name="Chars">(T) the characters read, one string each.</param>
/// <param name="Shading">The quantity and its colours.</param>
/// <param name="Features">The text features the correlations refer to.</param>
/// <param name="Units">The units shown, in order.</param>
/// <param name="Values">[unit shown][t]: the quantity's raw value.</param>
internal sealed record GatesView(
    string Title, string Source, IReadOnlyList<string> Chars, Shading Shading, IReadOnlyList<TextFeature> Features,
    IReadOnlyList<ShownUnit> Units, float[][] Values)
{
    private const string Style = """
        body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 80em; }
        h2 { font-size: 1.05em; margin: 1.6em 0 0.4em; }
        h2 small { font-weight: normal; color: #555; }
        table { border-collapse: collapse; }
        th, td { padding: 2px 10px; text-align: right; border-bottom: 1px solid #ddd; }
        th:nth-child(2), td:nth-child(2) { text-align: left; }
        .text { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 14px; line-height: 1.6; white-space: pre-wrap; word-break: break-all; }
        .scale { display: inline-block; width: 16em; height: 1em; vertical-align: middle; border: 1px solid #ccc; }

        """;

    /// <summary>The page: a header, the table of units and their correlations, then each unit's coloured text.</summary>
    public string Html()
    {
        var page = new StringBuilder();
        page.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>recur gates: ")
            .Append(Escape(Title)).Append("</title>\n<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n");
        page.Append("<h1>").Append(Escape(Title)).Append("</h1>\n<p>").Append(Escape(Source)).Append(". ").Append(Legend()).Append("</p>\n");
        AppendTable(page);
        for (int k = 0; k < Units.Count; k++)
        {
            AppendUnit(page, k);
        }

        return page.Append("</body>\n</html>\n").ToString();
    }

    /// <summary>One line per unit for the console: the unit, why it is shown, its correlations and spread.</summary>
    public IEnumerable<string> Summary()
    {
        yield return "  unit  shown for          " + string.Concat(Features.Select(f => $"{f.Short,7}")) + "     sd";
        foreach (var u in Units)
        {
            yield return string.Create(CultureInfo.InvariantCulture,
                $"  {u.Unit,4}  {u.Reason,-17}{string.Concat(u.Correlations.Select(r => $"{UnitChoice.Format(r),7}"))}  {u.Deviation,5:F2}");
        }
    }

    private string Legend()
    {
        var (min, max) = Shading.Range;
        var stops = Enumerable.Range(0, 5).Select(i => Hex(Shading.Colour(min + (max - min) * i / 4.0)));
        return string.Create(CultureInfo.InvariantCulture,
            $"Each character's background shows {Escape(Shading.ShownAs)} after reading it: {min:0} <span class=\"scale\" style=\"background: linear-gradient(to right, {string.Join(", ", stops)})\"></span> {max:0}. ")
            + "Hover over a character for its value; ↵ marks a line break. "
            + Escape($"r is Pearson's correlation over the text between {Shading.ShownAs} and each feature; a unit is said to track a feature from |r| ≥ {UnitChoice.MinCorrelation:0.0}.");
    }

    private void AppendTable(StringBuilder page)
    {
        page.Append("<table>\n<tr><th>unit</th><th>shown for</th>");
        foreach (var f in Features)
        {
            page.Append("<th>r, ").Append(Escape(f.Name)).Append("</th>");
        }

        page.Append("<th>sd</th></tr>\n");
        foreach (var u in Units)
        {
            page.Append(CultureInfo.InvariantCulture, $"<tr><td><a href=\"#unit-{u.Unit}\">{u.Unit}</a></td><td>{Escape(u.Reason)}</td>");
            foreach (double r in u.Correlations)
            {
                page.Append("<td>").Append(UnitChoice.Format(r)).Append("</td>");
            }

            page.Append(CultureInfo.InvariantCulture, $"<td>{u.Deviation:F2}</td></tr>\n");
        }

        page.Append("</table>\n");
    }

    private void AppendUnit(StringBuilder page, int k)
    {
        var u = Units[k];
        string? tracks = u.Tracks(Features);
        string why = tracks is null ? u.Reason : u.Reason == Features[u.Feature].Name ? tracks : $"{u.Reason}; tracks {tracks}";
        page.Append(CultureInfo.InvariantCulture, $"<section class=\"unit\" id=\"unit-{u.Unit}\">\n<h2>unit {u.Unit} <small>")
            .Append(Escape(why)).Append("</small></h2>\n<div class=\"text\">");
        for (int t = 0; t < Chars.Count; t++)
        {
            float value = Values[k][t];
            double shown = Shading.Shown(value);
            page.Append("<span style=\"background:").Append(Hex(Shading.Colour(shown)));
            page.Append(Shading.Dark(shown) ? ";color:#fff" : "").Append("\" title=\"").Append(Escape(Tooltip(t, value)));
            page.Append("\">").Append(Escape(Visible(Chars[t]))).Append("</span>");
            if (Chars[t] == "\n")
            {
                page.Append('\n');
            }
        }

        page.Append("</div>\n</section>\n");
    }

    private string Tooltip(int t, float value)
    {
        var inv = CultureInfo.InvariantCulture;
        return Shading.Quantity == "c"
            ? string.Create(inv, $"char {t}: c = {value:F3}, tanh(c) = {Math.Tanh(value):F3}")
            : string.Create(inv, $"char {t}: {Shading.Quantity} = {value:F3}");
    }

    // What stands for a character that would otherwise be invisible or move the text: a line break shows as ↵
    // (followed by a real break), a tab as →, other control characters as their Unicode control pictures.
    private static string Visible(string ch) => ch switch
    {
        "\n" => "↵",
        "\t" => "→",
        "\u007f" => "\u2421",
        _ when ch.Length == 1 && ch[0] < ' ' => ((char)(0x2400 + ch[0])).ToString(),
        _ => ch,
    };

    private static string Hex((byte R, byte G, byte B) c) => $"#{c.R:x2}{c.G:x2}{c.B:x2}";

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}
