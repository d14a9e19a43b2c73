using System.Text.Json.Nodes;

namespace Recur.Optimizers;

/// <summary>
/// Multiplies the rate by γ every N epochs, as <c>torch.optim.lr_scheduler.StepLR</c> stepped per epoch:
/// <code>lr(step, epoch) = initial · γ^⌊epoch / N⌋</code>
/// </summary>
public sealed class StepDecaySchedule : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="initialRate">The rate of the first N epochs; finite and >= 0.</param>
    /// <param name="everyEpochs">N, at least 1.</param>
    /// <param name="gamma">γ, finite and >= 0 (usually in (0, 1)).</param>
    public StepDecaySchedule(double initialRate, int everyEpochs, double gamma)
    {
        InitialRate = CheckRate(initialRate, nameof(initialRate));
        ArgumentOutOfRangeException.ThrowIfLessThan(everyEpochs, 1);
        if (!(gamma >= 0 && double.IsFinite(gamma)))
        {
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma: expected a finite factor >= 0.");
        }

        (EveryEpochs, Gamma) = (everyEpochs, gamma);
    }

    /// <summary>The rate before the first decay.</summary>
    public double InitialRate { get; }

    /// <summary>N: epochs between decays.</summary>
    public int EveryEpochs { get; }

    /// <summary>γ: the factor applied at each decay.</summary>
    public double Gamma { get; }

    /// <inheritdoc />
    public override JsonObject GetConfig() =>
        new() { ["type"] = "step_decay", ["initial_rate"] = InitialRate, ["every_epochs"] = EveryEpochs, ["gamma"] = Gamma };

    /// <inheritdoc />
    protected internal override double Compute(long step, int epoch) => InitialRate * Math.Pow(Gamma, epoch / EveryEpochs);
}
