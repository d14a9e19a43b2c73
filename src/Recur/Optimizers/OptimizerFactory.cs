using System.Text.Json.Nodes;
using Recur.Modules;

namespace Recur.Optimizers;

/// <summary>Rebuilds an optimizer from its <see cref="Optimizer.GetConfig"/>, for saved models and resumed runs.</summary>
public static class OptimizerFactory
{
    /// <summary>The <c>"type"</c> values <see cref="Create"/> knows.</summary>
    public static IReadOnlyList<string> Types { get; } = ["sgd", "rmsprop", "adam", "adamw"];

    /// <summary>
    /// A new optimizer over <paramref name="parameters"/> configured by <paramref name="config"/>; absent
    /// hyper-parameters take the constructor's defaults (SGD needs <c>"lr"</c>).
    /// </summary>
    /// <exception cref="ArgumentException">An unknown type (the known ones are listed), a wrong-typed value (its key named) or a bad value.</exception>
    public static Optimizer Create(JsonObject config, IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(config);
        string type = JsonConfig.GetString(config, "type");
        float F(string key, float fallback) => JsonConfig.GetFloat(config, key, fallback);
        return type switch
        {
            "sgd" => new Sgd(parameters, F("lr", float.NaN), F("momentum", 0f), F("dampening", 0f),
                JsonConfig.GetBool(config, "nesterov", false), F("weight_decay", 0f)),
            "rmsprop" => new RmsProp(parameters, F("lr", 0.01f), F("alpha", 0.99f), F("eps", 1e-8f), F("momentum", 0f),
                JsonConfig.GetBool(config, "centered", false), F("weight_decay", 0f)),
            "adam" => new Adam(parameters, F("lr", 1e-3f), F("beta1", 0.9f), F("beta2", 0.999f), F("eps", 1e-8f), F("weight_decay", 0f)),
            "adamw" => new AdamW(parameters, F("lr", 1e-3f), F("beta1", 0.9f), F("beta2", 0.999f), F("eps", 1e-8f), F("weight_decay", 0.01f)),
            _ => throw new ArgumentException($"config: expected a type in {string.Join(", ", Types)}, got '{type}'.", nameof(config)),
        };
    }
}
