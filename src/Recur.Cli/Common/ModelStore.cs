using System.Text.Json.Nodes;
using Recur.Data;
using Recur.Models;
using Recur.Serialization;
using Recur.Training;

namespace Recur.Cli.Common;

/// <summary>
/// Model files of the <c>recur</c> applications: <see cref="ModelFile"/>'s single file, whose extras hold the
/// application's <c>"kind"</c> ("textgen", "nextword", ...), its tokenizer or scaler and the training settings, so
/// that a command refuses a model made by another.
/// </summary>
internal static class ModelStore
{
    public const string FileName = "model.safetensors";

    /// <summary>Saves <paramref name="model"/> as <paramref name="path"/> (atomically), tagged with <paramref name="kind"/>.</summary>
    public static void Save(Model model, string path, string kind, JsonObject extras, History history)
    {
        var tagged = extras.DeepClone().AsObject();
        tagged["kind"] = kind;
        ModelFile.Save(model, path, tagged, history);
    }

    /// <summary>Loads a model file of any kind (for <c>recur info</c>).</summary>
    /// <exception cref="CliException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a Recur model; the message names the file.</exception>
    public static LoadedModel Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"no such model file: {Path.GetFullPath(path)}");
        }

        return ModelFile.Load(path);
    }

    /// <summary>Loads a model that a <paramref name="kind"/> command saved.</summary>
    /// <exception cref="CliException">No such file, or a model of another kind.</exception>
    public static LoadedModel Load(string path, string kind)
    {
        var loaded = Load(path);
        string? found = Kind(loaded);
        if (found != kind)
        {
            throw new CliException(found is null
                ? $"{path} is a Recur model without a kind (not saved by a recur command), not a '{kind}' model"
                : $"{path} is a '{found}' model, not a '{kind}' model; use 'recur {found}' with it");
        }

        return loaded;
    }

    /// <summary>The "kind" in the extras, or null.</summary>
    public static string? Kind(LoadedModel loaded) => loaded.Extras["kind"] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    /// <summary>The tokenizer saved in the extras under <paramref name="key"/>, or null if there is none.</summary>
    /// <exception cref="InvalidDataException">It is there but malformed.</exception>
    public static Tokenizer? Tokenizer(LoadedModel loaded, string path, string key = "tokenizer")
    {
        if (loaded.Extras[key] is not JsonValue v || !v.TryGetValue(out string? json))
        {
            return null;
        }

        try
        {
            return Data.Tokenizer.FromJson(json);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{path}: the saved {key} is malformed: {e.Message}", e);
        }
    }
}
