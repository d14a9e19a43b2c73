using System.Text.Json.Nodes;

namespace Recur.Optimizers;

/// <summary>
/// Cosine annealing from an initial rate to a minimum over T steps, then the minimum, as the closed form of
/// <c>torch.optim.lr_scheduler.CosineAnnealingLR</c> (without restarts):
/// <code>lr(step, epoch) = min + (initial - min) · (1 + cos(π · min(step, T) / T)) / 2</code>
/// </summary>
public sealed class CosineAnnealingSchedule : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="initialRate">The rate at step 0; finite and >= 0.</param>
    /// <param name="minimumRate">The rate from step T on; finite and >= 0.</param>
    /// <param name="totalSteps">T, at least 1.</param>
    public CosineAnnealingSchedule(double initialRate, double minimumRate, long totalSteps)
    {
        InitialRate = CheckRate(initialRate, nameof(initialRate));
        MinimumRate = CheckRate(minimumRate, nameof(minimumRate));
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        TotalSteps = totalSteps;
    }

    /// <summary>The rate at step 0.</summary>
    public double InitialRate { get; }

    /// <summary>The rate reached at step T.</summary>
    public double MinimumRate { get; }

    /// <summary>T: the length of the anneal in steps.</summary>
    public long TotalSteps { get; }

    /// <inheritdoc />
    public override JsonObject GetConfig() =>
        new() { ["type"] = "cosine", ["initial_rate"] = InitialRate, ["minimum_rate"] = MinimumRate, ["total_steps"] = TotalSteps };

    /// <inheritdoc />
    protected internal override double Compute(long step, int epoch) =>
        MinimumRate + (InitialRate - MinimumRate) * (1 + Math.Cos(Math.PI * Math.Min(step, TotalSteps) / TotalSteps)) / 2;
}
