using Recur.Layers;
using Recur.Models;
using Recur.Tensors;
using Recur.Tests.Reference;

namespace Recur.Tests.Layers;

public class BidirectionalTests
{
    [Fact]
    public void A_wrapped_layer_keeps_its_configuration_and_reads_both_ways()
    {
        var forward = new Gru(3, 5, numLayers: 2, batchFirst: true) { ReturnSequences = false, ReturnState = true };
        var both = Bidirectional.Of(forward, BidirectionalMerge.Sum, seed: 4);
        Assert.IsType<Gru>(both);
        Assert.True(both.Bidirectional);
        Assert.Equal((3, 5, 2), (both.InputSize, both.HiddenSize, both.NumLayers));
        Assert.False(both.ReturnSequences);
        Assert.True(both.ReturnState);
        Assert.Equal(BidirectionalMerge.Sum, both.Merge);
        Assert.Contains(both.Parameters, p => p.Name == "weight_hh_l1_reverse");

        // Sum-merged last step = forward final state + backward final state of the top layer.
        var input = new Input(-1, 3);
        var model = new Model([input.Symbol], both.CallMany(input.Symbol));
        var x = Tensor.FromValues(Tolerance.RandomNormal(new Rng(2), 2 * 4 * 3), 2, 4, 3);
        var outputs = model.Forward(new LayerValue(x));
        var last = outputs[0].Data;
        var states = outputs[1].Data; // (B, L·D, H)
        Assert.Equal(new[] { 2, 5 }, last.Shape.ToArray());
        for (int b = 0; b < 2; b++)
        {
            for (int j = 0; j < 5; j++)
            {
                Assert.Equal(states[b, 2, j] + states[b, 3, j], last[b, j], 6);
            }
        }
    }

    [Fact]
    public void An_already_bidirectional_layer_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => Bidirectional.Of(new Lstm(2, 3, bidirectional: true)));
        Assert.Equal("layer", e.ParamName);
    }
}
