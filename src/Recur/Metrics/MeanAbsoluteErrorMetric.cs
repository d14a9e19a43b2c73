using Recur.Losses;

namespace Recur.Metrics;

/// <summary>
/// Σ |x - y| / n over every counted element since the last reset (targets of the prediction's shape; padding does
/// not count).
/// </summary>
public sealed class MeanAbsoluteErrorMetric() : LossMeanMetric(new MeanAbsoluteError())
{
    /// <inheritdoc />
    public override string Name => "mae";

    /// <inheritdoc />
    protected override double Finish(double meanLoss) => meanLoss;
}
