using System.Text.Json.Nodes;

namespace Recur.Optimizers;

/// <summary>
/// A linear warm-up over the first W steps, then another schedule started afresh (as Hugging Face's
/// <c>get_cosine_schedule_with_warmup</c>):
/// <code>
/// lr(step, epoch) = after(0, epoch) · (step + 1) / W        step &lt; W   (from 1/W of the rate up to the full rate)
/// lr(step, epoch) = after(step - W, epoch)                  step ≥ W
/// </code>
/// </summary>
public sealed class WarmupSchedule : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="after">The schedule that follows the warm-up, which sees steps counted from its end.</param>
    /// <param name="warmupSteps">W, at least 1.</param>
    public WarmupSchedule(LearningRateSchedule after, long warmupSteps)
    {
        ArgumentNullException.ThrowIfNull(after);
        ArgumentOutOfRangeException.ThrowIfLessThan(warmupSteps, 1);
        (After, WarmupSteps) = (after, warmupSteps);
    }

    /// <summary>The schedule after the warm-up.</summary>
    public LearningRateSchedule After { get; }

    /// <summary>W: the number of warm-up steps.</summary>
    public long WarmupSteps { get; }

    /// <inheritdoc />
    public override JsonObject GetConfig() =>
        new() { ["type"] = "warmup", ["warmup_steps"] = WarmupSteps, ["after"] = After.GetConfig() };

    /// <inheritdoc />
    protected internal override double Compute(long step, int epoch) =>
        step < WarmupSteps ? After.Compute(0, epoch) * (step + 1) / WarmupSteps : After.Compute(step - WarmupSteps, epoch);
}
