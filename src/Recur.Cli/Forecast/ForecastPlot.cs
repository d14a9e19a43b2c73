using Recur.Cli.Common;

namespace Recur.Cli.Forecast;

/// <summary>Forecast-versus-actual plots (PNG and SVG) of the target column against its row number.</summary>
internal sealed class ForecastPlot(string title, string target)
{
    private readonly ScottPlot.Plot _plot = new();

    /// <summary>Adds the series (values at x = 0, 1, ...) as a line.</summary>
    public ForecastPlot Actual(double[] values, int from = 0)
    {
        var line = _plot.Add.Scatter(Enumerable.Range(from, values.Length - from).Select(t => (double)t).ToArray(), values[from..]);
        line.LegendText = "actual";
        line.MarkerSize = 0;
        line.LineWidth = 2;
        return this;
    }

    /// <summary>Adds forecast values at the given steps.</summary>
    public ForecastPlot Forecast(string legend, IEnumerable<int> steps, IEnumerable<double> values)
    {
        var line = _plot.Add.Scatter(steps.Select(t => (double)t).ToArray(), values.ToArray());
        line.LegendText = legend;
        line.MarkerSize = 3;
        return this;
    }

    /// <summary>Marks where a part of the series starts (e.g. the test period) with a dashed vertical line.</summary>
    public ForecastPlot Mark(int step, string legend)
    {
        var line = _plot.Add.VerticalLine(step - 0.5);
        line.LegendText = legend;
        line.LinePattern = ScottPlot.LinePattern.Dashed;
        return this;
    }

    /// <summary>Writes <paramref name="folder"/>/<paramref name="name"/>.png and .svg.</summary>
    public string[] Save(string folder, string name)
    {
        _plot.Title(title);
        _plot.XLabel("row (time step)");
        _plot.YLabel(target);
        _plot.ShowLegend();
        return OutputFiles.SavePlot(_plot, folder, name);
    }
}
