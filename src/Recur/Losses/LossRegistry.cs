using System.Text.Json.Nodes;

namespace Recur.Losses;

/// <summary>Rebuilds a <see cref="Loss"/> from its <see cref="Loss.Name"/> and <see cref="Loss.GetConfig"/>, for saved models.</summary>
public static class LossRegistry
{
    /// <summary>The names <see cref="Create"/> knows.</summary>
    public static IReadOnlyList<string> Names { get; } = ["cross_entropy", "binary_cross_entropy", "mse", "mae"];

    /// <summary>The loss called <paramref name="name"/>, configured by <paramref name="config"/> (null: defaults).</summary>
    /// <exception cref="ArgumentException">An unknown name (the known ones are listed) or a bad config value.</exception>
    public static Loss Create(string name, JsonObject? config = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name switch
        {
            "cross_entropy" => new CrossEntropyLoss(checked((int)JsonConfig.GetLong(config, "ignore_index", -100))),
            "binary_cross_entropy" => new BinaryCrossEntropyWithLogits(),
            "mse" => new MeanSquaredError(),
            "mae" => new MeanAbsoluteError(),
            _ => throw new ArgumentException($"name: expected one of {string.Join(", ", Names)}, got '{name}'.", nameof(name)),
        };
    }
}
