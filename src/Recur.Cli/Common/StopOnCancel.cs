using Recur.Training;

namespace Recur.Cli.Common;

/// <summary>
/// Ends training after the current batch once Ctrl+C (or SIGTERM) has been pressed. Fit then still validates the
/// partial epoch, so the <see cref="ModelCheckpoint"/> beside it can keep it if it is the best so far.
/// </summary>
internal sealed class StopOnCancel(CancellationToken cancellation) : Callback
{
    /// <summary>Whether training was stopped this way.</summary>
    public bool Stopped { get; private set; }

    public override void OnBatchEnd(TrainingContext context, int batch, double loss)
    {
        if (cancellation.IsCancellationRequested)
        {
            context.StopTraining = Stopped = true;
        }
    }
}
