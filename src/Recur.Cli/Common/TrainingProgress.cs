using System.Diagnostics;
using System.Globalization;
using Recur.Training;
using Spectre.Console;

namespace Recur.Cli.Common;

/// <summary>
/// Shows training progress: a live Spectre.Console bar on a terminal, plain lines when the output is redirected
/// (<c>epoch 3/20  loss 1.8300  val_loss 1.9100  lr 0.002  812 samples/s  eta 0:42</c>, one per epoch).
/// </summary>
internal abstract class TrainingProgress : Callback
{
    /// <summary>The display for <paramref name="cli"/>'s output; <paramref name="batchSize"/> turns batches into samples/s.</summary>
    public static TrainingProgress For(CliContext cli, int batchSize) =>
        cli.Interactive ? new LiveProgress(batchSize) : new PlainProgress(cli.Output);

    /// <summary>Runs <paramref name="fit"/> while the display is up.</summary>
    public virtual History Run(Func<History> fit) => fit();
}

/// <summary>One line per epoch, as <see cref="ProgressLogger"/> writes it.</summary>
internal sealed class PlainProgress(TextWriter output) : TrainingProgress
{
    private readonly ProgressLogger _lines = new(output.WriteLine);

    public override void OnTrainBegin(TrainingContext context) => _lines.OnTrainBegin(context);

    public override void OnEpochEnd(TrainingContext context, EpochLog log) => _lines.OnEpochEnd(context, log);
}

/// <summary>
/// A bar over all the batches of the run, described by the epoch, batch, running loss, last validation loss and
/// speed (samples/s); Spectre's columns add the share done and the time left. Each finished epoch also leaves its plain line.
/// </summary>
internal sealed class LiveProgress(int batchSize) : TrainingProgress
{
    private readonly ProgressLogger _lines = new(AnsiConsole.WriteLine);
    private readonly Stopwatch _clock = new();
    private ProgressTask? _task;
    private double _loss = double.NaN, _valLoss = double.NaN;
    private long _batches;

    public override History Run(Func<History> fit)
    {
        History? history = null;
        AnsiConsole.Progress()
            .AutoClear(false)
            // Narrow enough for an 80-column terminal: a wider row is cut down to "…".
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 12 }, new PercentageColumn(),
                     new RemainingTimeColumn())
            .Start(context =>
            {
                _task = context.AddTask("starting", maxValue: 1);
                history = fit();
                _task.Value = _task.MaxValue; // an early stop still ends at 100%
            });
        return history!;
    }

    public override void OnTrainBegin(TrainingContext context)
    {
        _lines.OnTrainBegin(context);
        _task!.MaxValue = Math.Max(1, (context.Epochs - context.Model.EpochsTaken) * context.BatchesPerEpoch);
        _clock.Restart();
    }

    public override void OnBatchEnd(TrainingContext context, int batch, double loss)
    {
        // A running mean over about the last 50 batches: steadier than one batch, quicker than the epoch mean.
        _batches++;
        _loss = double.IsNaN(_loss) ? loss : _loss + (loss - _loss) / Math.Min(50, _batches);
        double speed = _batches * batchSize / Math.Max(1e-9, _clock.Elapsed.TotalSeconds);
        string val = double.IsNaN(_valLoss) ? "" : string.Create(CultureInfo.InvariantCulture, $" val {_valLoss:F3}");
        _task!.Description = string.Create(CultureInfo.InvariantCulture,
            $"epoch {context.Epoch + 1}/{context.Epochs} batch {batch + 1}/{context.BatchesPerEpoch} loss {_loss:F3}{val} {speed:N0}/s");
        _task.Increment(1);
    }

    public override void OnEpochEnd(TrainingContext context, EpochLog log)
    {
        _valLoss = log["val_loss"];
        _lines.OnEpochEnd(context, log);
    }
}
