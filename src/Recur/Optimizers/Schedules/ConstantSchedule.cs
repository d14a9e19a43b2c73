using System.Text.Json.Nodes;

namespace Recur.Optimizers;

/// <summary>The same rate at every step: <c>lr(step, epoch) = rate</c>.</summary>
public sealed class ConstantSchedule : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="rate">The rate; finite and >= 0.</param>
    public ConstantSchedule(double rate)
    {
        Value = CheckRate(rate, nameof(rate));
    }

    /// <summary>The rate.</summary>
    public double Value { get; }

    /// <inheritdoc />
    public override JsonObject GetConfig() => new() { ["type"] = "constant", ["rate"] = Value };

    /// <inheritdoc />
    protected internal override double Compute(long step, int epoch) => Value;
}
