using Recur.Training;

namespace Recur.Cli.Common;

/// <summary>The loss curves of a training run as <c>loss.png</c> and <c>loss.svg</c>, drawn with ScottPlot.</summary>
internal static class LossPlot
{
    /// <summary>Draws "loss" and "val_loss" per epoch into <paramref name="folder"/>; returns the two paths.</summary>
    public static string[] Write(History history, string folder, string title, string yLabel) =>
        Write(history.Epochs.Select(e => e.Epoch + 1.0).ToArray(), "epoch", history["loss"], history["val_loss"], folder, title, yLabel);

    /// <summary>Draws a training and a validation curve over <paramref name="x"/> into <paramref name="folder"/>; returns the two paths.</summary>
    public static string[] Write(double[] x, string xLabel, double[] training, double[] validation, string folder, string title, string yLabel)
    {
        var plot = new ScottPlot.Plot();
        foreach (var (values, legend) in new[] { (training, "training"), (validation, "validation") })
        {
            if (values.Any(double.IsFinite))
            {
                var line = plot.Add.Scatter(x, values);
                line.LegendText = legend;
                line.MarkerSize = x.Length > 30 ? 0 : 6;
            }
        }

        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend();
        return OutputFiles.SavePlot(plot, folder, "loss");
    }
}
