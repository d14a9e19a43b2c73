using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recur.Models;

/// <summary>
/// Typed reads of the fields of a layer's <see cref="Layer.GetConfig"/> JSON, for the factories of
/// <see cref="LayerRegistry"/>. A missing or ill-typed field throws an <see cref="ArgumentException"/> naming the
/// field, what was expected and what was found.
/// </summary>
public static class LayerConfig
{
    /// <summary>Field <paramref name="field"/> as a 32-bit integer.</summary>
    public static int GetInt32(JsonObject config, string field) =>
        Read(config, field, "an integer", e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out _), e => e.GetInt32());

    /// <summary>Field <paramref name="field"/> as a 32-bit integer, or null when the field holds JSON null.</summary>
    public static int? GetNullableInt32(JsonObject config, string field) =>
        Field(config, field) is null ? null : GetInt32(config, field);

    /// <summary>Field <paramref name="field"/> as a 64-bit unsigned integer (seeds).</summary>
    public static ulong GetUInt64(JsonObject config, string field) =>
        Read(config, field, "a non-negative integer", e => e.ValueKind == JsonValueKind.Number && e.TryGetUInt64(out _), e => e.GetUInt64());

    /// <summary>Field <paramref name="field"/> as a finite float.</summary>
    public static float GetSingle(JsonObject config, string field) =>
        Read(config, field, "a finite number", e => e.ValueKind == JsonValueKind.Number && e.TryGetSingle(out float v) && float.IsFinite(v), e => e.GetSingle());

    /// <summary>Field <paramref name="field"/> as a boolean.</summary>
    public static bool GetBoolean(JsonObject config, string field) =>
        Read(config, field, "true or false", e => e.ValueKind is JsonValueKind.True or JsonValueKind.False, e => e.GetBoolean());

    /// <summary>Field <paramref name="field"/> as a string.</summary>
    public static string GetString(JsonObject config, string field) =>
        Read(config, field, "a string", e => e.ValueKind == JsonValueKind.String, e => e.GetString()!);

    /// <summary>Field <paramref name="field"/> as an array of 32-bit integers.</summary>
    public static int[] GetInt32Array(JsonObject config, string field) =>
        Read(config, field, "an array of integers",
            e => e.ValueKind == JsonValueKind.Array && e.EnumerateArray().All(i => i.ValueKind == JsonValueKind.Number && i.TryGetInt32(out _)),
            e => e.EnumerateArray().Select(i => i.GetInt32()).ToArray());

    /// <summary>
    /// Field <paramref name="field"/> as a member of <typeparamref name="TEnum"/>, written as its lower-case name
    /// ("concat", "relu"), as the layers' configs write them.
    /// </summary>
    public static TEnum GetEnum<TEnum>(JsonObject config, string field)
        where TEnum : struct, Enum
    {
        string text = GetString(config, field);
        foreach (var value in Enum.GetValues<TEnum>())
        {
            if (value.ToString().ToLowerInvariant() == text)
            {
                return value;
            }
        }

        throw new ArgumentException(
            $"field '{field}': expected one of {string.Join(", ", Enum.GetValues<TEnum>().Select(v => v.ToString().ToLowerInvariant()))}, got \"{text}\".");
    }

    private static JsonNode? Field(JsonObject config, string field)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.TryGetPropertyValue(field, out var node)
            ? node
            : throw new ArgumentException($"field '{field}' is missing.");
    }

    // Reads through the field's JSON text, so in-memory values (from GetConfig) and parsed ones read alike.
    private static T Read<T>(JsonObject config, string field, string expected, Func<JsonElement, bool> valid, Func<JsonElement, T> get)
    {
        string text = Field(config, field)?.ToJsonString() ?? "null";
        using var document = JsonDocument.Parse(text);
        return valid(document.RootElement)
            ? get(document.RootElement)
            : throw new ArgumentException($"field '{field}': expected {expected}, got {text}.");
    }
}
