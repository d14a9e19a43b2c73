using Recur.Layers;
using Recur.Models;
using Recur.Tensors;
using Recur.Tests.Models;
using Recur.Tests.Reference;

namespace Recur.Tests.Layers;

/// <summary>RepeatVector (vector → sequence) and GlobalAveragePooling1D (sequence → vector).</summary>
public class SequenceShapeLayerTests
{
    [Fact]
    public void RepeatVector_copies_the_vector_to_every_step()
    {
        var outputs = new LayerValue[1];
        new RepeatVector(3).Forward([new LayerValue(Tensor.FromValues([1f, 2, 3, 4], 2, 2))], outputs);
        Assert.Equal(new[] { 2, 3, 2 }, outputs[0].Data.Shape.ToArray());
        Assert.Equal(new float[] { 1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4 }, outputs[0].Data.Span.ToArray());
        Assert.Null(outputs[0].Lengths);
    }

    [Fact]
    public void RepeatVector_seeding_a_gru_sums_the_gradient_over_steps()
    {
        var input = new Input(3);
        var dense = new Dense(3, 4, seed: 1);
        var gru = new Gru(4, 5, seed: 2);
        var model = new Model([input.Symbol], [gru.Call(new RepeatVector(6).Call(dense.Call(input.Symbol)))]);
        Assert.Equal(new[] { 6, 5 }, model.OutputShapes[0]);
        var rng = new Rng(5);
        GraphCheck.Gradients(model, [new LayerValue(GraphCheck.Normal(rng, 2, 3))], GraphCheck.Normal(rng, 2, 6, 5), ["dense.weight", "dense.bias"]);
    }

    [Fact]
    public void Pooling_averages_only_the_valid_steps()
    {
        var x = Tensor.FromValues([1f, 10, 3, 30, 100, 1000, 2, 20, 4, 40, 6, 60], 2, 3, 2);
        var outputs = new LayerValue[1];
        new GlobalAveragePooling1D().Forward([new LayerValue(x, [2, 3])], outputs);
        Assert.Equal(new float[] { 2, 20, 4, 40 }, outputs[0].Data.Span.ToArray());
        Assert.Null(outputs[0].Lengths);

        new GlobalAveragePooling1D().Forward([new LayerValue(x)], outputs);
        Tolerance.AssertClose(new float[] { 104f / 3, 1040f / 3, 4, 40 }, outputs[0].Data.Span, 1e-6, "mean over all steps");
    }

    [Fact]
    public void Pooling_gradient_matches_finite_differences_and_skips_padding()
    {
        var input = new Input(-1, 3);
        var dense = new Dense(3, 4, seed: 3);
        var pool = new GlobalAveragePooling1D();
        var model = new Model([input.Symbol], [new Activation(ActivationKind.Tanh).Call(pool.Call(dense.Call(input.Symbol)))]);
        var rng = new Rng(6);
        GraphCheck.Gradients(model, [new LayerValue(GraphCheck.Normal(rng, 2, 4, 3), [4, 2])], GraphCheck.Normal(rng, 2, 4), ["dense.weight", "dense.bias"]);

        var inputGrads = new Tensor?[1];
        pool.Backward([Tensor.FromValues([1f, 1, 1, 1, 1, 1, 1, 1], 2, 4)], inputGrads);
        Assert.All(inputGrads[0]!.Span.Slice(4 * 4 + 2 * 4, 2 * 4).ToArray(), v => Assert.Equal(0f, v)); // row 1, steps 2..3
        Assert.All(inputGrads[0]!.Span.Slice(4 * 4, 2 * 4).ToArray(), v => Assert.Equal(0.5f, v));
    }

    [Fact]
    public void Shape_errors_at_call_name_the_layer_and_both_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => new RepeatVector(2).Call(new Input(-1, 3).Symbol));
        Assert.Contains("RepeatVector", e.Message);
        Assert.Contains("(F)", e.Message);
        Assert.Contains("(-1, 3)", e.Message);

        e = Assert.Throws<ArgumentException>(() => new GlobalAveragePooling1D().Call(new Input(3).Symbol));
        Assert.Contains("GlobalAveragePooling1D", e.Message);
        Assert.Contains("(T, F)", e.Message);
        Assert.Contains("(3)", e.Message);

        Assert.Throws<ArgumentOutOfRangeException>(() => new RepeatVector(0));
    }

    [Fact]
    public void Pooling_refuses_lengths_outside_one_to_T()
    {
        var e = Assert.Throws<ArgumentException>(() => new GlobalAveragePooling1D().Forward([new LayerValue(new Tensor(2, 3, 1), [3, 0])], new LayerValue[1]));
        Assert.Contains("lengths[1] is 0", e.Message);
    }
}
