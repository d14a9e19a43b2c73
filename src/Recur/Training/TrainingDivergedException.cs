namespace Recur.Training;

/// <summary>
/// The loss became NaN or infinite: training stopped at the named step before updating any weight with it. Files
/// written by checkpoints before that step are left as they were.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for the given epoch, batch and global step.</summary>
    public TrainingDivergedException(int epoch, int batch, long step, double loss)
        : base($"Training diverged: the loss is {loss} at epoch {epoch + 1}, batch {batch + 1} (step {step + 1}). " +
               "No weight was updated from it; lower the learning rate or clip gradients (the last checkpoint, if any, is intact).")
    {
        Epoch = epoch;
        Batch = batch;
        Step = step;
        Loss = loss;
    }

    /// <summary>The epoch, from 0.</summary>
    public int Epoch { get; }

    /// <summary>The batch within the epoch, from 0.</summary>
    public int Batch { get; }

    /// <summary>The global step, from 0.</summary>
    public long Step { get; }

    /// <summary>The non-finite loss.</summary>
    public double Loss { get; }
}
