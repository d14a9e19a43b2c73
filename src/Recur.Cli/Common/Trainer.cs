using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Recur.Losses;
using Recur.Metrics;
using Recur.Models;
using Recur.Optimizers;
using Recur.Serialization;
using Recur.Training;

namespace Recur.Cli.Common;

/// <summary>What an application hands to <see cref="Trainer.Run"/>: its model, data, loss and what to save beside the weights.</summary>
/// <param name="Kind">The application ("textgen", "nextword", ...), saved in the file and checked when it is loaded.</param>
/// <param name="Model">The untrained model.</param>
/// <param name="Train">The training samples.</param>
/// <param name="Validation">The held-out samples whose loss picks the epoch that is kept.</param>
/// <param name="Loss">What is minimised.</param>
/// <param name="Metrics">Reported per epoch besides the loss.</param>
/// <param name="Shuffle">Whether batches are shuffled; false for stateful streams, whose batches must stay in order.</param>
/// <param name="Extras">Tokenizer, scaler, ... saved with the model (the settings and kind are added).</param>
/// <param name="LossLabel">The loss plot's y axis, e.g. "cross-entropy (nats per character)".</param>
internal sealed record TrainingJob(
    string Kind, Model Model, Dataset Train, Dataset Validation, Loss Loss, IReadOnlyList<Metric> Metrics, bool Shuffle,
    JsonObject Extras, string LossLabel)
{
    /// <summary>Whether batches group sequences of similar length (less padding; for independent sequences of varying length).</summary>
    public bool Bucketing { get; init; }
}

/// <summary>How a run ended: its history, whether Ctrl+C stopped it, the best epoch (from 0) and the files written.</summary>
internal sealed record TrainingResult(History History, bool Stopped, int BestEpoch, string ModelPath, IReadOnlyList<string> Plots, TimeSpan Elapsed)
{
    /// <summary>The best (saved) epoch's validation loss.</summary>
    public double BestValLoss => History.Epochs[BestEpoch]["val_loss"];
}

/// <summary>
/// Trains any application's model the same way: Adam with gradient clipping, progress on the terminal, Ctrl+C that
/// stops cleanly, and a checkpoint of the best epoch (by validation loss). The model file in <c>--out</c> is only
/// written at the end, from that best checkpoint, so a run that fails, or is stopped before its first epoch is
/// complete, never leaves a broken file nor replaces a good one; loss plots go beside it.
/// </summary>
internal static class Trainer
{
    private const float ClipNorm = 5f; // global-norm clipping: keeps the rare exploding BPTT gradient from undoing training

    public static TrainingResult Run(TrainingJob job, TrainingSettings settings, CliContext cli)
    {
        var model = job.Model;
        model.Compile(job.Loss, new Adam(model.Parameters, settings.LearningRate), job.Metrics, ClipNorm);
        var extras = job.Extras.DeepClone().AsObject();
        extras["settings"] = settings.ToJson();

        Directory.CreateDirectory(settings.Out);
        string modelPath = Path.Combine(settings.Out, ModelStore.FileName);
        string checkpointPath = Path.Combine(settings.Out, "checkpoint.tmp.safetensors");
        var best = new ModelCheckpoint(checkpointPath) { Extras = extras };
        var stop = new StopOnCancel(cli.Cancellation);
        var progress = TrainingProgress.For(cli, settings.Batch);
        var clock = Stopwatch.StartNew();
        try
        {
            var history = progress.Run(() => model.Fit(
                job.Train, job.Validation, settings.Epochs, settings.Batch, job.Shuffle, [stop, best, progress], settings.Seed, job.Bucketing));
            if (stop.BeforeFirstEpoch)
            {
                throw new CliException($"stopped (Ctrl+C) before the first epoch was complete; nothing was saved ({modelPath} was not written)");
            }

            if (best.SavedEpoch < 0)
            {
                throw new CliException("training ended before any epoch could be validated; nothing was saved");
            }

            // The best epoch's weights, not the last epoch's.
            var kept = ModelFile.Load(checkpointPath).Model;
            ModelStore.Save(kept, modelPath, job.Kind, extras, history);
            var plots = LossPlot.Write(history, settings.Out, $"{job.Kind}: {settings.CellName}({settings.Hidden}) x {settings.Layers}", job.LossLabel);
            if (stop.Stopped)
            {
                cli.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"stopped (Ctrl+C) in epoch {history.Epochs.Count}; kept the best epoch so far"));
            }

            return new TrainingResult(history, stop.Stopped, best.SavedEpoch, modelPath, plots, clock.Elapsed);
        }
        catch (TrainingDivergedException e)
        {
            throw new CliException($"{e.Message} Try a lower --lr; {modelPath} was not written.");
        }
        finally
        {
            File.Delete(checkpointPath);
        }
    }
}
