using Recur.Models;
using Recur.Tensors;

namespace Recur.Metrics;

/// <summary>
/// A quality figure accumulated over the batches of an epoch (accuracy, perplexity, RMSE, MAE): <see cref="Reset"/>,
/// then <see cref="Update"/> per batch, then <see cref="Result"/>. Padding steps of sequence predictions (t ≥ length)
/// do not count, as in <see cref="Losses.Loss"/>.
/// </summary>
public abstract class Metric
{
    /// <summary>Short name for logs and history, e.g. "accuracy".</summary>
    public abstract string Name { get; }

    /// <summary>The figure over everything since the last <see cref="Reset"/>; NaN before any update.</summary>
    public abstract double Result { get; }

    /// <summary>Forgets every update.</summary>
    public abstract void Reset();

    /// <summary>Adds one batch.</summary>
    public abstract void Update(LayerValue prediction, Tensor target);
}
