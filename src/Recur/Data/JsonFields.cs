using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recur.Data;

/// <summary>Strict reads of JSON fields with messages that name the object and the field.</summary>
internal static class JsonFields
{
    public static JsonObject ParseObject(string json, string what)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{what}: invalid JSON: {e.Message}", e);
        }

        return node as JsonObject ?? throw new FormatException($"{what}: expected a JSON object.");
    }

    public static T Get<T>(JsonObject json, string field, string what)
    {
        try
        {
            return json[field] is JsonNode node ? node.GetValue<T>() : throw new FormatException($"{what}: missing field '{field}'.");
        }
        catch (Exception e) when (e is InvalidOperationException or JsonException)
        {
            throw new FormatException($"{what}: field '{field}' is not a {typeof(T).Name}.", e);
        }
    }

    public static T[] GetArray<T>(JsonObject json, string field, string what)
    {
        if (json[field] is not JsonArray array)
        {
            throw new FormatException($"{what}: missing array '{field}'.");
        }

        var values = new T[array.Count];
        for (int i = 0; i < values.Length; i++)
        {
            try
            {
                values[i] = array[i] is JsonNode node ? node.GetValue<T>() : throw new FormatException($"{what}: '{field}'[{i}] is null.");
            }
            catch (Exception e) when (e is InvalidOperationException or JsonException)
            {
                throw new FormatException($"{what}: '{field}'[{i}] is not a {typeof(T).Name}.", e);
            }
        }

        return values;
    }

    public static JsonObject GetObject(JsonObject json, string field, string what) =>
        json[field] as JsonObject ?? throw new FormatException($"{what}: missing object '{field}'.");

    /// <summary>Throws unless the "type" field equals <paramref name="type"/>, so a scaler is not loaded as a tokenizer.</summary>
    public static void ExpectType(JsonObject json, string type, string what)
    {
        string actual = Get<string>(json, "type", what);
        if (actual != type)
        {
            throw new FormatException($"{what}: expected type '{type}', got '{actual}'.");
        }
    }
}
