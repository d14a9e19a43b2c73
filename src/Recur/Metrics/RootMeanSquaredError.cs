using Recur.Losses;

namespace Recur.Metrics;

/// <summary>
/// √(Σ (x - y)² / n) over every counted element since the last reset (targets of the prediction's shape; padding
/// does not count).
/// </summary>
public sealed class RootMeanSquaredError() : LossMeanMetric(new MeanSquaredError())
{
    /// <inheritdoc />
    public override string Name => "rmse";

    /// <inheritdoc />
    protected override double Finish(double meanLoss) => Math.Sqrt(meanLoss);
}
