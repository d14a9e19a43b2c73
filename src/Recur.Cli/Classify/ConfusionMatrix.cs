using System.Globalization;
using Recur.Cli.Common;

namespace Recur.Cli.Classify;

/// <summary>
/// Counts of (true class, predicted class) over a set of examples, with the accuracy and each class's precision,
/// recall (the class's own accuracy) and F1; printed as tables and drawn as <c>confusion.png</c> and <c>.svg</c>.
/// </summary>
internal sealed class ConfusionMatrix
{
    private readonly int[,] _counts;

    public ConfusionMatrix(IReadOnlyList<string> classes, ReadOnlySpan<int> truth, ReadOnlySpan<int> predicted)
    {
        Classes = classes;
        _counts = new int[classes.Count, classes.Count];
        for (int i = 0; i < truth.Length; i++)
        {
            _counts[truth[i], predicted[i]]++;
        }

        Total = truth.Length;
    }

    public IReadOnlyList<string> Classes { get; }

    public int Total { get; }

    public double Accuracy => (double)Enumerable.Range(0, Classes.Count).Sum(c => _counts[c, c]) / Total;

    public double Recall(int c) => Ratio(_counts[c, c], Row(c));

    public double Precision(int c) => Ratio(_counts[c, c], Enumerable.Range(0, Classes.Count).Sum(t => _counts[t, c]));

    public double F1(int c) => Ratio(2 * Precision(c) * Recall(c), Precision(c) + Recall(c));

    /// <summary>Per-class precision, recall and F1, then the counts, rows the true class and columns the prediction.</summary>
    public void Print(TextWriter output)
    {
        int width = Math.Max(9, Classes.Max(c => c.Length));
        output.WriteLine($"  {"class".PadRight(width)}  {"examples",8}  {"precision",9}  {"recall",6}  {"F1",6}");
        for (int c = 0; c < Classes.Count; c++)
        {
            output.WriteLine(Invariant($"  {Classes[c].PadRight(width)}  {Row(c),8:N0}  {Precision(c),9:F3}  {Recall(c),6:F3}  {F1(c),6:F3}"));
        }

        output.WriteLine($"  confusion (rows: true class, columns: predicted)");
        output.WriteLine($"  {"".PadRight(width)}  {string.Join("  ", Classes.Select(c => c.PadLeft(Math.Max(6, c.Length))))}");
        for (int t = 0; t < Classes.Count; t++)
        {
            var cells = Classes.Select((c, p) => _counts[t, p].ToString(CultureInfo.InvariantCulture).PadLeft(Math.Max(6, c.Length)));
            output.WriteLine($"  {Classes[t].PadRight(width)}  {string.Join("  ", cells)}");
        }
    }

    /// <summary>
    /// An annotated grid: each cell's count, shaded by its share of the true class's row (so a small class's
    /// errors show as clearly as a large one's). Writes <c>confusion.png</c> and <c>confusion.svg</c> into <paramref name="folder"/>.
    /// </summary>
    public string[] Plot(string folder, string title)
    {
        var plot = new ScottPlot.Plot();
        int n = Classes.Count;
        for (int t = 0; t < n; t++)
        {
            for (int p = 0; p < n; p++)
            {
                double share = Ratio(_counts[t, p], Row(t));
                double top = n - t; // the first class on top, as in the printed table
                var cell = plot.Add.Rectangle(p, p + 1, top - 1, top);
                cell.FillColor = ScottPlot.Colors.SteelBlue.WithAlpha(0.1 + 0.9 * share);
                cell.LineColor = ScottPlot.Colors.White;
                var label = plot.Add.Text(Invariant($"{_counts[t, p]:N0}\n{share:P0}"), p + 0.5, top - 0.5);
                label.LabelAlignment = ScottPlot.Alignment.MiddleCenter;
                label.LabelFontSize = 16;
                label.LabelFontColor = share > 0.5 ? ScottPlot.Colors.White : ScottPlot.Colors.Black;
            }
        }

        double[] ticks = Enumerable.Range(0, n).Select(i => i + 0.5).ToArray();
        plot.Axes.Bottom.SetTicks(ticks, [.. Classes]);
        plot.Axes.Left.SetTicks(ticks, Classes.Reverse().ToArray());
        plot.Axes.SetLimits(0, n, 0, n);
        plot.HideGrid();
        plot.Title(title);
        plot.XLabel("predicted class");
        plot.YLabel("true class");
        return OutputFiles.SavePlot(plot, folder, "confusion", 600, 560);
    }

    private int Row(int t) => Enumerable.Range(0, Classes.Count).Sum(p => _counts[t, p]);

    private static double Ratio(double a, double b) => b == 0 ? 0 : a / b;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
