using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Recur.Layers;
using static Recur.Models.LayerConfig;

namespace Recur.Models;

/// <summary>
/// Rebuilds layers from their <see cref="Layer.GetConfig"/> JSON when a saved model is loaded (Keras'
/// <c>from_config</c>): a factory per type name, the layer's class name ("Dense", "Lstm", "GlobalAveragePooling1D",
/// "Input", ...). The rebuilt layer has the same constructor arguments and graph properties; its weights come from
/// the saved state afterwards, so seeds do not matter.
/// </summary>
/// <remarks>
/// Every built-in layer is registered; <see cref="Register"/> adds others. <see cref="Create"/> reports an unknown
/// type, a missing or ill-typed field, or a value the constructor refuses as an <see cref="ArgumentException"/>
/// naming the type and the field. Safe to use from several threads.
/// </remarks>
public static class LayerRegistry
{
    private static readonly ConcurrentDictionary<string, Func<JsonObject, Layer>> Factories = new(StringComparer.Ordinal)
    {
        ["Input"] = c => new Input(GetInt32Array(c, "shape")),
        ["Dense"] = c => new Dense(GetInt32(c, "in_features"), GetInt32(c, "out_features"), GetBoolean(c, "bias")),
        ["Lstm"] = c => Recurrent(c, a => new Lstm(a.InputSize, a.HiddenSize, a.NumLayers, a.Bias, a.BatchFirst, a.Dropout, a.Bidirectional)
        {
            ReturnSequences = a.ReturnSequences, ReturnState = a.ReturnState, Merge = a.Merge, Stateful = a.Stateful,
        }),
        ["Gru"] = c => Recurrent(c, a => new Gru(a.InputSize, a.HiddenSize, a.NumLayers, a.Bias, a.BatchFirst, a.Dropout, a.Bidirectional)
        {
            ReturnSequences = a.ReturnSequences, ReturnState = a.ReturnState, Merge = a.Merge, Stateful = a.Stateful,
        }),
        ["Rnn"] = c => Recurrent(c, a => new Rnn(a.InputSize, a.HiddenSize, a.NumLayers, GetEnum<RnnNonlinearity>(c, "nonlinearity"), a.Bias, a.BatchFirst, a.Dropout, a.Bidirectional)
        {
            ReturnSequences = a.ReturnSequences, ReturnState = a.ReturnState, Merge = a.Merge, Stateful = a.Stateful,
        }),
        ["Embedding"] = c => new Embedding(GetInt32(c, "num_embeddings"), GetInt32(c, "embedding_dim"), GetNullableInt32(c, "padding_index")),
        ["Dropout"] = c => new Dropout(GetSingle(c, "p"), GetUInt64(c, "seed")),
        ["Activation"] = c => new Activation(GetEnum<ActivationKind>(c, "kind")),
        ["Concatenate"] = c => new Concatenate(GetInt32(c, "axis")),
        ["Add"] = _ => new Add(),
        ["RepeatVector"] = c => new RepeatVector(GetInt32(c, "steps")),
        ["GlobalAveragePooling1D"] = _ => new GlobalAveragePooling1D(),
    };

    /// <summary>The registered type names.</summary>
    public static IReadOnlyCollection<string> Types => Factories.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Adds a factory for layers of type <paramref name="type"/>; a type can be registered once.</summary>
    /// <param name="type">The name saved with the layer, by convention its class name.</param>
    /// <param name="factory">Builds the layer from its config; read fields with <see cref="LayerConfig"/>.</param>
    public static void Register(string type, Func<JsonObject, Layer> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        ArgumentNullException.ThrowIfNull(factory);
        if (!Factories.TryAdd(type, factory))
        {
            throw new ArgumentException($"Layer type '{type}' is already registered.", nameof(type));
        }
    }

    /// <summary>Whether <paramref name="type"/> has a factory.</summary>
    public static bool IsRegistered(string type) => Factories.ContainsKey(type);

    /// <summary>Builds a layer of type <paramref name="type"/> from its <see cref="Layer.GetConfig"/> JSON.</summary>
    /// <exception cref="ArgumentException">
    /// An unknown type (the message lists the known ones), or a config field that is missing, ill-typed or refused by
    /// the constructor (the message names the type and the field).
    /// </exception>
    public static Layer Create(string type, JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(config);
        if (!Factories.TryGetValue(type, out var factory))
        {
            throw new ArgumentException($"Unknown layer type '{type}'. Known types: {string.Join(", ", Types)}.", nameof(type));
        }

        try
        {
            return factory(config);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{type} config: {e.Message}", e);
        }
    }

    private static RecurrentLayer Recurrent(JsonObject c, Func<RecurrentArguments, RecurrentLayer> create) => create(new RecurrentArguments(
        GetInt32(c, "input_size"), GetInt32(c, "hidden_size"), GetInt32(c, "num_layers"), GetBoolean(c, "bias"),
        GetBoolean(c, "batch_first"), GetSingle(c, "dropout"), GetBoolean(c, "bidirectional"),
        GetBoolean(c, "return_sequences"), GetBoolean(c, "return_state"), GetEnum<BidirectionalMerge>(c, "merge"),
        c.ContainsKey("stateful") && GetBoolean(c, "stateful")));

    private sealed record RecurrentArguments(
        int InputSize, int HiddenSize, int NumLayers, bool Bias, bool BatchFirst, float Dropout, bool Bidirectional,
        bool ReturnSequences, bool ReturnState, BidirectionalMerge Merge, bool Stateful);
}
