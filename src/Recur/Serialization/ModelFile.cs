using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recur.Losses;
using Recur.Metrics;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Training;

namespace Recur.Serialization;

/// <summary>A model read back by <see cref="ModelFile"/>, with what was saved beside it.</summary>
/// <param name="Model">The rebuilt model with its weights (compiled, with the optimizer state, for a checkpoint).</param>
/// <param name="Extras">Whatever the application saved with it (tokenizer, vocabulary, scaler, ...); empty if none.</param>
/// <param name="History">The training history, if one was saved.</param>
public sealed record LoadedModel(Model Model, JsonObject Extras, History? History);

/// <summary>
/// One file per model: the weights as safetensors under PyTorch-style names ("lstm.weight_ih_l0"), and in its
/// metadata a JSON description of the layer graph (no code), the application's extras and the history. A checkpoint
/// adds the optimizer state ("optimizer/…" tensors), the training position and the random generators, so that
/// resuming reproduces the uninterrupted run bit for bit. Files are written atomically.
/// </summary>
public static class ModelFile
{
    private const string ModelFormat = "recur.model";
    private const string CheckpointFormat = "recur.checkpoint";
    private const string OptimizerPrefix = "optimizer/";
    private const int Version = 1;

    /// <summary>Saves the architecture and weights (not the optimizer) to <paramref name="path"/>, atomically.</summary>
    public static void Save(Model model, string path, JsonObject? extras = null, History? history = null) =>
        Write(model, path, extras, history, checkpoint: false);

    /// <summary>
    /// Saves everything needed to resume training exactly: architecture, weights, optimizer state, loss, metrics,
    /// clipping, epochs and steps taken, and the random generators of dropout layers. The model must be compiled.
    /// </summary>
    public static void SaveCheckpoint(Model model, string path, JsonObject? extras = null, History? history = null) =>
        Write(model, path, extras, history, checkpoint: true);

    /// <summary>Reads a model or checkpoint file: rebuilds the graph and loads the weights (and training state).</summary>
    /// <exception cref="InvalidDataException">The file is not a Recur model, is malformed, or its weights do not fit its architecture; the message names the file.</exception>
    public static LoadedModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        SafeTensorsFile file;
        try
        {
            file = SafeTensors.Read(path);
        }
        catch (SafeTensorsFormatException e)
        {
            throw new InvalidDataException($"{path}: not a valid model file: {e.Message}", e);
        }

        var meta = file.Metadata;
        string format = meta.GetValueOrDefault("format") ?? "";
        if (format != ModelFormat && format != CheckpointFormat)
        {
            throw new InvalidDataException(
                $"{path}: not a Recur model (metadata 'format' is '{format}', expected '{ModelFormat}' or '{CheckpointFormat}'). A plain PyTorch state dict loads with StateDictFile into a layer.");
        }

        try
        {
            var graph = Parse(meta, "graph", path);
            var model = BuildModel(graph, path);
            var weights = file.Tensors.Where(kv => !kv.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key, kv => kv.Value);
            model.LoadStateDict(weights);
            var extras = meta.ContainsKey("extras") ? Parse(meta, "extras", path) : new JsonObject();
            var history = meta.ContainsKey("history") ? History.FromJson(Parse(meta, "history", path)) : null;
            if (format == CheckpointFormat)
            {
                RestoreTraining(model, Parse(meta, "training", path), file.Tensors);
            }

            model.Training = false;
            return new LoadedModel(model, extras, history);
        }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException or InvalidOperationException or JsonException or FormatException or OverflowException)
        {
            throw new InvalidDataException($"{path}: the model cannot be rebuilt: {e.Message}", e);
        }
    }

    private static void Write(Model model, string path, JsonObject? extras, History? history, bool checkpoint)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var p in model.Parameters)
        {
            tensors[p.Name] = p.Value;
        }

        var meta = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = checkpoint ? CheckpointFormat : ModelFormat,
            ["format_version"] = Version.ToString(CultureInfo.InvariantCulture),
            ["recur_version"] = typeof(ModelFile).Assembly.GetName().Version?.ToString() ?? "",
            ["graph"] = DescribeGraph(model).ToJsonString(),
        };
        if (extras is not null)
        {
            meta["extras"] = extras.ToJsonString();
        }

        if (history is not null)
        {
            meta["history"] = history.ToJson().ToJsonString();
        }

        if (checkpoint)
        {
            var optimizer = model.Optimizer ?? throw new InvalidOperationException("A checkpoint needs a compiled model: call Compile first.");
            var state = optimizer.GetState();
            foreach (var (name, t) in state.Tensors)
            {
                tensors[OptimizerPrefix + name] = t;
            }

            meta["training"] = DescribeTraining(model, optimizer, state.StepCount).ToJsonString();
        }

        SafeTensors.Write(path, tensors, meta);
    }

    /// <summary>{"layers": [{"name", "type", "config", "inbound": [[layer, output], ...]}], "inputs": [...], "outputs": [...]}.</summary>
    private static JsonObject DescribeGraph(Model model)
    {
        var layers = new JsonArray();
        foreach (var layer in model.Layers)
        {
            var node = layer.Node!;
            layers.Add(new JsonObject
            {
                ["name"] = layer.Name,
                ["type"] = layer.GetType().Name,
                ["config"] = layer.GetConfig(),
                ["inbound"] = new JsonArray(node.Inputs.Select(Reference).ToArray()),
            });
        }

        return new JsonObject
        {
            ["layers"] = layers,
            ["inputs"] = new JsonArray(model.InputSymbols.Select(Reference).ToArray()),
            ["outputs"] = new JsonArray(model.OutputSymbols.Select(Reference).ToArray()),
        };
    }

    private static JsonNode Reference(Symbol s) => new JsonArray(s.Producer.Layer.Name, s.Index);

    private static Model BuildModel(JsonObject graph, string path)
    {
        var symbols = new Dictionary<string, Symbol[]>(StringComparer.Ordinal);
        Symbol Resolve(JsonNode? reference)
        {
            var pair = reference as JsonArray ?? throw new InvalidDataException($"{path}: a layer reference is not [name, index].");
            string name = pair[0]!.GetValue<string>();
            int index = pair[1]!.GetValue<int>();
            if (!symbols.TryGetValue(name, out var outs) || index < 0 || index >= outs.Length)
            {
                throw new InvalidDataException($"{path}: the graph refers to output {index} of '{name}', which comes later or does not exist.");
            }

            return outs[index];
        }

        foreach (var entry in graph["layers"]!.AsArray())
        {
            var e = entry!.AsObject();
            string name = e["name"]!.GetValue<string>();
            var layer = LayerRegistry.Create(e["type"]!.GetValue<string>(), e["config"]!.AsObject());
            layer.Name = name;
            var inbound = e["inbound"]!.AsArray().Select(Resolve).ToArray();
            symbols[name] = layer is Input input ? [input.Symbol] : layer.CallMany(inbound);
        }

        return new Model(graph["inputs"]!.AsArray().Select(Resolve).ToArray(), graph["outputs"]!.AsArray().Select(Resolve).ToArray());
    }

    private static JsonObject DescribeTraining(Model model, Optimizer optimizer, long optimizerSteps)
    {
        var rng = new JsonObject();
        foreach (var layer in model.Layers)
        {
            if (layer.GetRngState() is { } state)
            {
                rng[layer.Name!] = new JsonArray(state.Select(w => (JsonNode)w.ToString(CultureInfo.InvariantCulture)).ToArray());
            }
        }

        return new JsonObject
        {
            ["epochs_taken"] = model.EpochsTaken,
            ["steps_taken"] = model.StepsTaken,
            ["optimizer_steps"] = optimizerSteps,
            ["optimizer"] = optimizer.GetConfig(),
            ["loss"] = new JsonObject { ["name"] = model.Loss!.Name, ["config"] = model.Loss.GetConfig() },
            ["metrics"] = new JsonArray(model.Metrics.Select(m => (JsonNode)m.Name).ToArray()),
            ["clip_norm"] = model.ClipNorm,
            ["clip_value"] = model.ClipValue,
            ["rng"] = rng,
        };
    }

    private static void RestoreTraining(Model model, JsonObject training, IReadOnlyDictionary<string, Tensor> tensors)
    {
        var optimizer = OptimizerFactory.Create(training["optimizer"]!.AsObject(), model.Parameters);
        var lossConfig = training["loss"]!.AsObject();
        var loss = LossRegistry.Create(lossConfig["name"]!.GetValue<string>(), lossConfig["config"]?.AsObject());
        var metrics = training["metrics"]!.AsArray().Select(n => MetricRegistry.Create(n!.GetValue<string>())).ToArray();
        model.Compile(loss, optimizer, metrics, training["clip_norm"]?.GetValue<float>(), training["clip_value"]?.GetValue<float>());

        var state = tensors.Where(kv => kv.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[OptimizerPrefix.Length..], kv => kv.Value);
        optimizer.LoadState(new OptimizerState(training["optimizer_steps"]!.GetValue<long>(), state));
        model.EpochsTaken = training["epochs_taken"]!.GetValue<int>();
        model.StepsTaken = training["steps_taken"]!.GetValue<long>();
        foreach (var (name, words) in training["rng"]!.AsObject())
        {
            model.GetLayer(name).SetRngState(words!.AsArray().Select(w => ulong.Parse(w!.GetValue<string>(), CultureInfo.InvariantCulture)).ToArray());
        }
    }

    private static JsonObject Parse(IReadOnlyDictionary<string, string> meta, string key, string path)
    {
        if (!meta.TryGetValue(key, out var text))
        {
            throw new InvalidDataException($"{path}: the metadata lacks '{key}'.");
        }

        return JsonNode.Parse(text) as JsonObject ?? throw new InvalidDataException($"{path}: metadata '{key}' is not a JSON object.");
    }
}
