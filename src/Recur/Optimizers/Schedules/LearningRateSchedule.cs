using System.Text.Json.Nodes;

namespace Recur.Optimizers;

/// <summary>
/// The learning rate as a pure function of the training position: <see cref="Rate"/>(step, epoch), where step is the
/// number of optimizer steps already taken (0 for the first) and epoch the 0-based epoch. Being pure, a resumed run
/// gets exactly the rates of an uninterrupted one. Set <see cref="Optimizer.LearningRate"/> from it before each step.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate for the step after <paramref name="step"/> steps, in epoch <paramref name="epoch"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative step or epoch.</exception>
    public float Rate(long step, int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        return (float)Compute(step, epoch);
    }

    /// <summary>The type and parameters, e.g. <c>{"type": "cosine", ...}</c>; see <see cref="Create"/>.</summary>
    public abstract JsonObject GetConfig();

    /// <summary>Rebuilds a schedule from its <see cref="GetConfig"/>.</summary>
    /// <exception cref="ArgumentException">An unknown type (the known ones are listed) or a bad value.</exception>
    public static LearningRateSchedule Create(JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);
        string type = JsonConfig.GetString(config, "type");
        double D(string key) => JsonConfig.GetDouble(config, key, double.NaN);
        long L(string key) => JsonConfig.GetLong(config, key, -1);
        return type switch
        {
            "constant" => new ConstantSchedule(D("rate")),
            "step_decay" => new StepDecaySchedule(D("initial_rate"), checked((int)L("every_epochs")), D("gamma")),
            "cosine" => new CosineAnnealingSchedule(D("initial_rate"), D("minimum_rate"), L("total_steps")),
            "warmup" => new WarmupSchedule(Create(JsonConfig.GetObject(config, "after")), L("warmup_steps")),
            _ => throw new ArgumentException(
                $"config: expected a type in constant, step_decay, cosine, warmup, got '{type}'.", nameof(config)),
        };
    }

    /// <summary>The rate in double; arguments already checked.</summary>
    protected internal abstract double Compute(long step, int epoch);

    /// <summary>Returns <paramref name="rate"/>, or throws unless it is finite and >= 0.</summary>
    protected static double CheckRate(double rate, string name) =>
        rate >= 0 && double.IsFinite(rate)
            ? rate
            : throw new ArgumentOutOfRangeException(name, rate, $"{name}: expected a finite learning rate >= 0.");
}
