using Recur.Optimizers;
using Recur.Serialization;

namespace Recur.Training;

/// <summary>
/// Writes a checkpoint (weights, optimizer state, position; see <see cref="ModelFile.SaveCheckpoint"/>) after each
/// epoch, or only when the monitored figure improves (<see cref="SaveBestOnly"/>). Writes are atomic: a crash or a
/// diverged epoch never leaves a broken file, and the last good checkpoint stays.
/// </summary>
public sealed class ModelCheckpoint(string path, string monitor = "val_loss", bool saveBestOnly = true) : Callback
{
    private double _best;

    /// <summary>The file written.</summary>
    public string Path { get; } = !string.IsNullOrWhiteSpace(path) ? path : throw new ArgumentException("path: expected a file path.", nameof(path));

    /// <summary>The figure compared when <see cref="SaveBestOnly"/>; lower is better unless its name contains "acc".</summary>
    public string Monitor { get; } = monitor;

    /// <summary>Whether to write only when <see cref="Monitor"/> improves.</summary>
    public bool SaveBestOnly { get; } = saveBestOnly;

    /// <summary>The epoch of the file on disk, from 0; -1 before any write.</summary>
    public int SavedEpoch { get; private set; } = -1;

    /// <summary>Anything the application wants saved beside the model (tokenizer, scaler, ...).</summary>
    public System.Text.Json.Nodes.JsonObject? Extras { get; init; }

    private bool HigherIsBetter => Monitor.Contains("acc", StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context) => _best = HigherIsBetter ? double.NegativeInfinity : double.PositiveInfinity;

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context, EpochLog log)
    {
        if (SaveBestOnly)
        {
            double value = log[Monitor];
            if (double.IsNaN(value))
            {
                throw new InvalidOperationException(
                    $"ModelCheckpoint monitors '{Monitor}', which the epoch logs lack; they have: {string.Join(", ", log.Values.Keys)}.");
            }

            if (HigherIsBetter ? value <= _best : value >= _best)
            {
                return;
            }

            _best = value;
        }

        ModelFile.SaveCheckpoint(context.Model, Path, Extras?.DeepClone().AsObject(), context.History);
        SavedEpoch = log.Epoch;
    }
}

/// <summary>Sets the optimizer's learning rate before every batch from a schedule of (step, epoch).</summary>
public sealed class LearningRateScheduler(LearningRateSchedule schedule) : Callback
{
    private readonly LearningRateSchedule _schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));

    /// <inheritdoc />
    public override void OnBatchBegin(TrainingContext context, int batch)
    {
        var optimizer = context.Model.Optimizer ?? throw new InvalidOperationException("The model is not compiled.");
        optimizer.LearningRate = _schedule.Rate(context.Step, context.Epoch);
    }
}
