using Recur.Layers;
using Recur.Models;
using Recur.Tensors;
using Recur.Tests.Models;

namespace Recur.Tests.Layers;

/// <summary>Add and Concatenate: layers that join several inputs.</summary>
public class MergeLayerTests
{
    private static Model TwoBranches(Layer join)
    {
        var a = new Input(-1, 3);
        var b = new Input(-1, 2);
        var left = new Dense(3, 4, seed: 1).Call(a.Symbol);
        var right = new Dense(2, 4, seed: 2).Call(b.Symbol);
        return new Model([a.Symbol, b.Symbol], [new Activation(ActivationKind.Tanh).Call(join.CallMany(left, right)[0])]);
    }

    [Theory]
    [InlineData(false, 4)]
    [InlineData(true, 8)]
    public void Gradients_through_two_joined_branches_match_finite_differences(bool concatenate, int features)
    {
        var model = TwoBranches(concatenate ? new Concatenate() : new Add());
        Assert.Equal(new[] { -1, features }, model.OutputShapes[0]);
        var rng = new Rng(3);
        GraphCheck.Gradients(model, [new LayerValue(GraphCheck.Normal(rng, 2, 3, 3)), new LayerValue(GraphCheck.Normal(rng, 2, 3, 2))],
            GraphCheck.Normal(rng, 2, 3, features), ["dense.weight", "dense.bias", "dense_1.weight", "dense_1.bias"]);
    }

    [Fact]
    public void Add_sums_any_number_of_inputs()
    {
        var outputs = new LayerValue[1];
        new Add().Forward([new LayerValue(Tensor.FromValues([1f, 2], 1, 2)), new LayerValue(Tensor.FromValues([10f, 20], 1, 2)), new LayerValue(Tensor.FromValues([100f, 200], 1, 2))], outputs);
        Assert.Equal(new[] { 111f, 222 }, outputs[0].Data.Span.ToArray());
    }

    [Fact]
    public void Concatenate_on_the_time_axis_puts_sequences_end_to_end()
    {
        var a = new Input(2, 3);
        var b = new Input(1, 3);
        var model = new Model([a.Symbol, b.Symbol], [new Concatenate(axis: 1).CallMany(a.Symbol, b.Symbol)[0]]);
        Assert.Equal(new[] { 3, 3 }, model.OutputShapes[0]);
        var x = Tensor.FromValues(Enumerable.Range(0, 12).Select(i => (float)i).ToArray(), 2, 2, 3);
        var z = Tensor.FromValues(Enumerable.Range(100, 6).Select(i => (float)i).ToArray(), 2, 1, 3);
        var y = model.Forward(new LayerValue(x), new LayerValue(z))[0].Data;
        Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5, 100, 101, 102, 6, 7, 8, 9, 10, 11, 103, 104, 105 }, y.Span.ToArray());

        var e = Assert.Throws<ArgumentException>(() => model.Forward(new LayerValue(x, [1, 2]), new LayerValue(z)));
        Assert.Contains("time axis", e.Message);
    }

    [Fact]
    public void Lengths_come_from_the_first_input_that_has_them()
    {
        int[] lengths = [1, 2];
        var x = new LayerValue(new Tensor(2, 2, 3));
        var withLengths = new LayerValue(new Tensor(2, 2, 3), lengths);
        var outputs = new LayerValue[1];
        new Add().Forward([x, withLengths], outputs);
        Assert.Same(lengths, outputs[0].Lengths);
        new Concatenate().Forward([x, withLengths], outputs);
        Assert.Same(lengths, outputs[0].Lengths);
    }

    [Fact]
    public void Shape_mismatches_at_call_name_the_layer_and_both_shapes()
    {
        var a = new Input(-1, 3);
        var b = new Input(-1, 4);
        var add = Assert.Throws<ArgumentException>(() => new Add().CallMany(a.Symbol, b.Symbol));
        Assert.Contains("Add", add.Message);
        Assert.Contains("(-1, 4)", add.Message);
        Assert.Contains("(-1, 3)", add.Message);

        var c = new Input(5, 3);
        var concat = Assert.Throws<ArgumentException>(() => new Concatenate(axis: -1).CallMany(a.Symbol, new Input(-1, 2).Symbol, c.Symbol));
        Assert.Contains("Concatenate", concat.Message);
        Assert.Contains("(5, 3)", concat.Message);
        Assert.Contains("(-1, 3)", concat.Message);

        Assert.Contains("at least 2", Assert.Throws<ArgumentException>(() => new Add().CallMany(a.Symbol)).Message);
        Assert.Contains("axis 3", Assert.Throws<ArgumentException>(() => new Concatenate(axis: 3).CallMany(a.Symbol, a.Symbol)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Concatenate(axis: 0));
    }

    [Fact]
    public void Varying_sizes_that_disagree_at_run_time_are_refused()
    {
        var a = new Input(-1, 3);
        var b = new Input(-1, 3);
        var model = new Model([a.Symbol, b.Symbol], [new Add().CallMany(a.Symbol, b.Symbol)[0]]);
        var e = Assert.Throws<ArgumentException>(() => model.Forward(new LayerValue(new Tensor(2, 4, 3)), new LayerValue(new Tensor(2, 5, 3))));
        Assert.Contains("(2, 5, 3)", e.Message);
        Assert.Contains("(2, 4, 3)", e.Message);
    }
}
