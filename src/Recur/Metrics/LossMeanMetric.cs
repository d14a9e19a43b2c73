using Recur.Losses;
using Recur.Models;
using Recur.Tensors;

namespace Recur.Metrics;

/// <summary>
/// A metric that is a function of a loss's mean over every counted element of every batch:
/// <c>Result = Finish(Σ_batches loss·count / Σ_batches count)</c>, so each batch weighs by how many elements it counted
/// (never a mean of per-batch figures).
/// </summary>
public abstract class LossMeanMetric : Metric
{
    private readonly Loss _loss;
    private double _total; // Σ loss·count
    private long _count;   // Σ count

    /// <summary>Accumulates <paramref name="loss"/>, whose padding and ignore rules the metric inherits.</summary>
    protected LossMeanMetric(Loss loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        _loss = loss;
    }

    /// <summary>Number of elements counted since the last <see cref="Reset"/>.</summary>
    public long Count => _count;

    /// <inheritdoc />
    public override double Result => _count == 0 ? double.NaN : Finish(_total / _count);

    /// <inheritdoc />
    public override void Reset() => (_total, _count) = (0, 0);

    /// <inheritdoc />
    public override void Update(LayerValue prediction, Tensor target)
    {
        double mean = _loss.Compute(prediction, target, null);
        _total += mean * _loss.LastCount;
        _count += _loss.LastCount;
    }

    /// <summary>The metric from the mean loss over everything counted.</summary>
    protected abstract double Finish(double meanLoss);
}
