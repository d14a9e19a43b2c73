using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recur;

/// <summary>
/// Reads typed values out of a config <see cref="JsonObject"/> (as written by the <c>GetConfig</c> methods, or parsed
/// from a file), with a fallback for absent keys and a message naming the key for wrong ones.
/// </summary>
internal static class JsonConfig
{
    /// <summary>The number at <paramref name="key"/>, exactly as written (floats round-trip through their shortest text).</summary>
    public static float GetFloat(JsonObject? config, string key, float fallback) =>
        Number(config, key) is string text ? float.Parse(text, CultureInfo.InvariantCulture) : fallback;

    /// <summary>The number at <paramref name="key"/> as a double.</summary>
    public static double GetDouble(JsonObject? config, string key, double fallback) =>
        Number(config, key) is string text ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;

    /// <summary>The integer at <paramref name="key"/>.</summary>
    public static long GetLong(JsonObject? config, string key, long fallback) =>
        Number(config, key) is string text
            ? long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
                ? value
                : throw new ArgumentException($"config: expected an integer for '{key}', got {text}.", nameof(config))
            : fallback;

    /// <summary>The boolean at <paramref name="key"/>.</summary>
    public static bool GetBool(JsonObject? config, string key, bool fallback) => config?[key] switch
    {
        null => fallback,
        JsonNode node when node.GetValueKind() is JsonValueKind.True or JsonValueKind.False => node.GetValueKind() == JsonValueKind.True,
        JsonNode node => throw new ArgumentException($"config: expected true or false for '{key}', got {node.ToJsonString()}.", nameof(config)),
    };

    /// <summary>The string at <paramref name="key"/>, which must be present.</summary>
    public static string GetString(JsonObject config, string key) => config[key] switch
    {
        JsonNode node when node.GetValueKind() == JsonValueKind.String => node.GetValue<string>(),
        null => throw new ArgumentException($"config: expected a string '{key}', got none in {config.ToJsonString()}.", nameof(config)),
        JsonNode node => throw new ArgumentException($"config: expected a string for '{key}', got {node.ToJsonString()}.", nameof(config)),
    };

    /// <summary>The object at <paramref name="key"/>, which must be present.</summary>
    public static JsonObject GetObject(JsonObject config, string key) =>
        config[key] as JsonObject
        ?? throw new ArgumentException($"config: expected an object '{key}', got {config[key]?.ToJsonString() ?? "none"}.", nameof(config));

    private static string? Number(JsonObject? config, string key) => config?[key] switch
    {
        null => null,
        JsonNode node when node.GetValueKind() == JsonValueKind.Number => node.ToJsonString(),
        JsonNode node => throw new ArgumentException($"config: expected a number for '{key}', got {node.ToJsonString()}.", nameof(config)),
    };
}
