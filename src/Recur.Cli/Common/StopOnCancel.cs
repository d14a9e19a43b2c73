using Recur.Training;

namespace Recur.Cli.Common;

/// <summary>
/// Ends training after the current batch once Ctrl+C (or SIGTERM) has been pressed. Fit then still validates the
/// partial epoch, so the <see cref="ModelCheckpoint"/> beside it can keep it if it is the best so far — unless no
/// epoch was complete yet (<see cref="BeforeFirstEpoch"/>): a model of a few batches is not worth replacing another.
/// </summary>
internal sealed class StopOnCancel(CancellationToken cancellation) : Callback
{
    /// <summary>Whether training was stopped this way.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Whether training was stopped inside the run's first epoch.</summary>
    public bool BeforeFirstEpoch { get; private set; }

    public override void OnBatchEnd(TrainingContext context, int batch, double loss)
    {
        if (cancellation.IsCancellationRequested)
        {
            context.StopTraining = Stopped = true;
            BeforeFirstEpoch = context.History.Epochs.Count == 0 && batch + 1 < context.BatchesPerEpoch;
        }
    }
}
