using System.Text.Json.Nodes;
using Recur.Layers;
using Recur.Models;
using Recur.Tensors;

namespace Recur.Tests.Models;

public class LayerRegistryTests
{
    public static TheoryData<string, Layer> EveryLayerType() => new()
    {
        { "Input", new Input(-1, 3) },
        { "Dense", new Dense(3, 4, bias: false) },
        { "Lstm", new Lstm(3, 4, numLayers: 2, batchFirst: true, dropout: 0.25f, bidirectional: true) { ReturnSequences = false, ReturnState = true, Merge = BidirectionalMerge.Sum } },
        { "Gru", new Gru(2, 5, bias: false) { ReturnState = true } },
        { "Rnn", new Rnn(2, 3, numLayers: 3, nonlinearity: RnnNonlinearity.Relu, bidirectional: true) { ReturnSequences = false } },
        { "Embedding", new Embedding(10, 4, paddingIndex: 0) },
        { "Dropout", new Dropout(0.1f, seed: 12345678901234567890UL) },
        { "Activation", new Activation(ActivationKind.Softmax) },
        { "Concatenate", new Concatenate(axis: 1) },
        { "Add", new Add() },
        { "RepeatVector", new RepeatVector(7) },
        { "GlobalAveragePooling1D", new GlobalAveragePooling1D() },
    };

    [Theory]
    [MemberData(nameof(EveryLayerType))]
    public void Config_to_layer_to_config_round_trips_with_the_same_parameters(string type, Layer layer)
    {
        Assert.Equal(type, layer.GetType().Name);
        var config = layer.GetConfig();
        var saved = (JsonObject)JsonNode.Parse(config.ToJsonString())!; // as read back from a file
        var rebuilt = LayerRegistry.Create(type, saved);

        Assert.IsType(layer.GetType(), rebuilt);
        Assert.Equal(config.ToJsonString(), rebuilt.GetConfig().ToJsonString());
        Assert.True(JsonNode.DeepEquals(config, rebuilt.GetConfig()), $"{type}: {config} vs {rebuilt.GetConfig()}");
        Assert.Equal(layer.Parameters.Select(p => (p.Name, p.Value.ShapeText)), rebuilt.Parameters.Select(p => (p.Name, p.Value.ShapeText)));
    }

    [Fact]
    public void Every_built_in_layer_type_is_registered()
    {
        Assert.Subset(LayerRegistry.Types.ToHashSet(), EveryLayerType().Select(row => (string)row[0]).ToHashSet());
    }

    [Fact]
    public void Recurrent_graph_properties_survive_the_round_trip()
    {
        var lstm = new Lstm(3, 4, bidirectional: true) { ReturnSequences = false, ReturnState = true, Merge = BidirectionalMerge.Sum };
        var rebuilt = (Lstm)LayerRegistry.Create("Lstm", lstm.GetConfig());
        Assert.False(rebuilt.ReturnSequences);
        Assert.True(rebuilt.ReturnState);
        Assert.Equal(BidirectionalMerge.Sum, rebuilt.Merge);
        Assert.Equal(RnnNonlinearity.Relu, ((Rnn)LayerRegistry.Create("Rnn", new Rnn(2, 3, nonlinearity: RnnNonlinearity.Relu).GetConfig())).Nonlinearity);
    }

    [Fact]
    public void An_unknown_type_is_named_with_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => LayerRegistry.Create("Conv2D", []));
        Assert.Contains("'Conv2D'", e.Message);
        Assert.Contains("Lstm", e.Message);
    }

    [Theory]
    [InlineData("hidden_size", null, "field 'hidden_size' is missing")]
    [InlineData("hidden_size", "\"4\"", "field 'hidden_size': expected an integer, got \"4\"")]
    [InlineData("hidden_size", "4.5", "field 'hidden_size': expected an integer, got 4.5")]
    [InlineData("bias", "1", "field 'bias': expected true or false, got 1")]
    [InlineData("merge", "\"avg\"", "field 'merge': expected one of concat, sum, got \"avg\"")]
    [InlineData("hidden_size", "0", "hiddenSize")]
    public void A_missing_ill_typed_or_refused_field_is_named_with_the_layer_type(string field, string? json, string expected)
    {
        var config = new Gru(3, 4).GetConfig();
        config.Remove(field);
        if (json is not null)
        {
            config[field] = JsonNode.Parse(json);
        }

        var e = Assert.Throws<ArgumentException>(() => LayerRegistry.Create("Gru", config));
        Assert.StartsWith("Gru config: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Custom_types_can_be_registered_once()
    {
        LayerRegistry.Register("ScaledTanh", c => new Activation(LayerConfig.GetEnum<ActivationKind>(c, "kind")));
        Assert.True(LayerRegistry.IsRegistered("ScaledTanh"));
        Assert.Equal(ActivationKind.Tanh, ((Activation)LayerRegistry.Create("ScaledTanh", new JsonObject { ["kind"] = "tanh" })).Kind);
        Assert.Throws<ArgumentException>(() => LayerRegistry.Register("ScaledTanh", _ => new Add()));
        Assert.Throws<ArgumentException>(() => LayerRegistry.Register("Dense", _ => new Add()));
    }

    [Fact]
    public void A_rebuilt_model_with_loaded_weights_computes_the_same_outputs()
    {
        static Model Build(Func<Layer, Layer> make)
        {
            var input = (Input)make(new Input(-1));
            var emb = make(new Embedding(6, 3, paddingIndex: 0, seed: 1)).Call(input.Symbol);
            var seq = make(new Gru(3, 4, seed: 2)).Call(emb);
            return new Model([input.Symbol], [make(new Activation(ActivationKind.Softmax)).Call(make(new Dense(4, 2, seed: 3)).Call(make(new GlobalAveragePooling1D()).Call(seq)))]);
        }

        var original = Build(l => l);
        var rebuilt = Build(l => LayerRegistry.Create(l.GetType().Name, l.GetConfig()));
        rebuilt.LoadStateDict(original.StateDict());
        var ids = Tensor.FromValues([1f, 2, 3, 0, 5, 4, 0, 0], 2, 4);
        var expected = original.Forward(new LayerValue(ids))[0].Data.Span.ToArray();
        Assert.Equal(expected, rebuilt.Forward(new LayerValue(ids))[0].Data.Span.ToArray());
    }
}
