using System.Diagnostics;
using System.Globalization;
using Recur.Models;

namespace Recur.Training;

/// <summary>What a callback sees of a running Fit, and how it stops it.</summary>
public sealed class TrainingContext
{
    internal TrainingContext(Model model, int epochs, int batchesPerEpoch)
    {
        Model = model;
        Epochs = epochs;
        BatchesPerEpoch = batchesPerEpoch;
    }

    /// <summary>The model being trained.</summary>
    public Model Model { get; }

    /// <summary>The last epoch + 1.</summary>
    public int Epochs { get; }

    /// <summary>Batches in one epoch.</summary>
    public int BatchesPerEpoch { get; }

    /// <summary>The current epoch, from 0.</summary>
    public int Epoch { get; internal set; }

    /// <summary>Optimizer steps taken since the model was first trained (continues across resumed runs).</summary>
    public long Step { get; internal set; }

    /// <summary>The history so far.</summary>
    public History History { get; internal set; } = new();

    /// <summary>Set by a callback to end training after the current epoch (or batch).</summary>
    public bool StopTraining { get; set; }
}

/// <summary>Hooks into <c>Model.Fit</c> (Keras' Callback); override what you need.</summary>
public abstract class Callback
{
    /// <summary>Before the first epoch.</summary>
    public virtual void OnTrainBegin(TrainingContext context)
    {
    }

    /// <summary>Before each batch (a learning-rate schedule sets the rate here).</summary>
    public virtual void OnBatchBegin(TrainingContext context, int batch)
    {
    }

    /// <summary>After each optimizer step, with the batch's loss.</summary>
    public virtual void OnBatchEnd(TrainingContext context, int batch, double loss)
    {
    }

    /// <summary>After each epoch, with its figures (validation included).</summary>
    public virtual void OnEpochEnd(TrainingContext context, EpochLog log)
    {
    }

    /// <summary>After the last epoch, or when training stops early.</summary>
    public virtual void OnTrainEnd(TrainingContext context)
    {
    }
}

/// <summary>
/// Stops training when a monitored figure has not improved by <see cref="MinDelta"/> for <see cref="Patience"/>
/// epochs; optionally puts back the best epoch's weights.
/// </summary>
public sealed class EarlyStopping(string monitor = "val_loss", int patience = 3, double minDelta = 0, bool restoreBestWeights = true) : Callback
{
    private double _best;
    private int _wait;
    private Dictionary<string, Tensors.Tensor>? _bestWeights;

    /// <summary>The figure watched; lower is better unless its name contains "acc".</summary>
    public string Monitor { get; } = monitor;

    /// <summary>Epochs without improvement before stopping.</summary>
    public int Patience { get; } = patience >= 0 ? patience : throw new ArgumentOutOfRangeException(nameof(patience), patience, "patience: expected >= 0.");

    /// <summary>The smallest change that counts as an improvement.</summary>
    public double MinDelta { get; } = minDelta;

    /// <summary>Whether the best epoch's weights are restored at the end.</summary>
    public bool RestoreBestWeights { get; } = restoreBestWeights;

    /// <summary>The epoch with the best figure, from 0; -1 before any.</summary>
    public int BestEpoch { get; private set; } = -1;

    private bool HigherIsBetter => Monitor.Contains("acc", StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context)
    {
        _best = HigherIsBetter ? double.NegativeInfinity : double.PositiveInfinity;
        _wait = 0;
        BestEpoch = -1;
        _bestWeights = null;
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context, EpochLog log)
    {
        double value = log[Monitor];
        if (double.IsNaN(value))
        {
            throw new InvalidOperationException(
                $"EarlyStopping monitors '{Monitor}', which the epoch logs lack; they have: {string.Join(", ", log.Values.Keys)}.");
        }

        bool better = HigherIsBetter ? value > _best + MinDelta : value < _best - MinDelta;
        if (better)
        {
            _best = value;
            _wait = 0;
            BestEpoch = log.Epoch;
            if (RestoreBestWeights)
            {
                _bestWeights = context.Model.StateDict();
            }
        }
        else if (++_wait > Patience)
        {
            context.StopTraining = true;
        }
    }

    /// <inheritdoc />
    public override void OnTrainEnd(TrainingContext context)
    {
        if (RestoreBestWeights && _bestWeights is not null)
        {
            context.Model.LoadStateDict(_bestWeights);
        }
    }
}

/// <summary>
/// Reports progress as plain lines, e.g. <c>epoch 3/20  loss 1.8300  val_loss 1.9100  accuracy 0.5100  812 samples/s  eta 0:42</c>.
/// </summary>
public sealed class ProgressLogger(Action<string> write) : Callback
{
    private readonly Action<string> _write = write ?? throw new ArgumentNullException(nameof(write));
    private readonly Stopwatch _clock = new();
    private int _firstEpoch = -1;

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context)
    {
        _clock.Restart();
        _firstEpoch = -1;
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context, EpochLog log)
    {
        if (_firstEpoch < 0)
        {
            _firstEpoch = log.Epoch;
        }

        int done = log.Epoch - _firstEpoch + 1;
        double perEpoch = _clock.Elapsed.TotalSeconds / done;
        var eta = TimeSpan.FromSeconds(perEpoch * (context.Epochs - log.Epoch - 1));
        var parts = log.Values
            .Where(kv => kv.Key is not "seconds" and not "samples_per_second")
            .Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {Format(kv.Key, kv.Value)}"));
        _write(string.Create(CultureInfo.InvariantCulture,
            $"epoch {log.Epoch + 1}/{context.Epochs}  {string.Join("  ", parts)}  {log["samples_per_second"]:N0} samples/s  eta {(int)eta.TotalMinutes}:{eta.Seconds:00}"));
    }

    private static string Format(string name, double value) =>
        name == "lr" ? value.ToString("G3", CultureInfo.InvariantCulture) : value.ToString("F4", CultureInfo.InvariantCulture);
}
