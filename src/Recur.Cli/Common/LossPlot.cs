using Recur.Training;

namespace Recur.Cli.Common;

/// <summary>The loss curves of a training run as <c>loss.png</c> and <c>loss.svg</c>, drawn with ScottPlot.</summary>
internal static class LossPlot
{
    /// <summary>Draws "loss" and "val_loss" per epoch into <paramref name="folder"/>; returns the two paths.</summary>
    public static string[] Write(History history, string folder, string title, string yLabel)
    {
        var plot = new ScottPlot.Plot();
        double[] epochs = history.Epochs.Select(e => e.Epoch + 1.0).ToArray();
        foreach (var (name, legend) in new[] { ("loss", "training"), ("val_loss", "validation") })
        {
            double[] values = history[name];
            if (values.Any(double.IsFinite))
            {
                var line = plot.Add.Scatter(epochs, values);
                line.LegendText = legend;
                line.MarkerSize = epochs.Length > 30 ? 0 : 6;
            }
        }

        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(yLabel);
        plot.ShowLegend();
        return PlotFiles.Save(plot, folder, "loss");
    }
}
