using Recur.Layers;
using Recur.Models;
using Recur.Tensors;
using Recur.Tests.Models;

namespace Recur.Tests.Layers;

public class EmbeddingTests
{
    [Fact]
    public void Forward_looks_up_rows_and_the_padding_row_starts_at_zero()
    {
        var emb = new Embedding(5, 3, paddingIndex: 2, seed: 1);
        var w = emb.Weight.Value;
        Assert.All(w.Span.Slice(2 * 3, 3).ToArray(), v => Assert.Equal(0f, v));
        var ids = Tensor.FromValues([4f, 0, 2, 1], 2, 2);
        var outputs = new LayerValue[1];
        emb.Forward([new LayerValue(ids)], outputs);
        var y = outputs[0].Data;
        Assert.Equal(new[] { 2, 2, 3 }, y.Shape.ToArray());
        for (int n = 0; n < 4; n++)
        {
            Assert.Equal(w.Span.Slice((int)ids.Span[n] * 3, 3).ToArray(), y.Span.Slice(n * 3, 3).ToArray());
        }
    }

    [Fact]
    public void Weights_are_standard_normal()
    {
        var w = new Embedding(200, 50, seed: 3).Weight.Value.Span.ToArray();
        double mean = w.Average(), variance = w.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.03, 0.03);
        Assert.InRange(variance, 0.95, 1.05);
    }

    [Fact]
    public void Gradient_scatter_adds_repeated_ids_and_never_reaches_the_padding_row()
    {
        var input = new Input(-1);
        var emb = new Embedding(7, 2, paddingIndex: 6, seed: 2);
        var act = new Activation(ActivationKind.Tanh);
        var model = new Model([input.Symbol], [act.Call(emb.Call(input.Symbol))]);
        var ids = Tensor.FromValues([1f, 3, 1, 6, 1, 0, 5, 6], 2, 4); // id 1 three times, padding at the ends
        var g = GraphCheck.Normal(new Rng(4), 2, 4, 2);
        GraphCheck.Gradients(model, [new LayerValue(ids)], g, ["embedding.weight"]); // rows 0..5

        Assert.All(emb.Weight.Grad.Span.Slice(6 * 2, 2).ToArray(), v => Assert.Equal(0f, v));
        Assert.All(emb.Weight.Grad.Span.Slice(2 * 2, 2).ToArray(), v => Assert.Equal(0f, v)); // id 2 unused
        Assert.NotEqual(0f, emb.Weight.Grad[1, 0]);
    }

    [Fact]
    public void A_padding_index_gives_lengths_up_to_the_last_real_id()
    {
        var emb = new Embedding(5, 2, paddingIndex: 0);
        var ids = Tensor.FromValues([3f, 4, 0, 0, 2, 0, 1, 0, 1, 1, 1, 1], 3, 4); // padding inside row 1 is a step
        var outputs = new LayerValue[1];
        emb.Forward([new LayerValue(ids)], outputs);
        Assert.Equal(new[] { 2, 3, 4 }, outputs[0].Lengths);

        var e = Assert.Throws<ArgumentException>(() => emb.Forward([new LayerValue(Tensor.FromValues([1f, 0, 0, 0], 2, 2))], outputs));
        Assert.Contains("row 1", e.Message);
        Assert.Contains("all padding", e.Message);
    }

    [Fact]
    public void Lengths_already_on_the_ids_pass_through_and_none_are_made_without_padding()
    {
        var outputs = new LayerValue[1];
        int[] lengths = [1, 2];
        new Embedding(5, 2, paddingIndex: 0).Forward([new LayerValue(Tensor.FromValues([3f, 4, 2, 0], 2, 2), lengths)], outputs);
        Assert.Same(lengths, outputs[0].Lengths);

        new Embedding(5, 2).Forward([new LayerValue(Tensor.FromValues([3f, 0, 2, 0], 2, 2))], outputs);
        Assert.Null(outputs[0].Lengths);
    }

    [Theory]
    [InlineData(1.5f, "ids[0, 1] is 1.5")]
    [InlineData(5f, "ids[0, 1] is 5")]
    [InlineData(-1f, "ids[0, 1] is -1")]
    [InlineData(float.NaN, "ids[0, 1] is NaN")]
    public void Ids_must_be_whole_numbers_in_range_and_errors_name_the_position(float bad, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => new Embedding(5, 2).Forward([new LayerValue(Tensor.FromValues([1f, bad], 1, 2))], new LayerValue[1]));
        Assert.Contains(expected, e.Message);
        Assert.Contains("[0, 5)", e.Message);
    }

    [Fact]
    public void Bad_arguments_and_shapes_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Embedding(0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Embedding(5, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Embedding(5, 2, paddingIndex: 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Embedding(5, 2, paddingIndex: -1));

        var e = Assert.Throws<ArgumentException>(() => new Embedding(5, 2).Call(new Input(-1, 3).Symbol));
        Assert.Contains("Embedding", e.Message);
        Assert.Contains("(T) or ()", e.Message);
        Assert.Contains("(-1, 3)", e.Message);
    }

    [Fact]
    public void Vector_ids_give_one_vector_per_sample()
    {
        var input = new Input();
        var model = new Model([input.Symbol], [new Embedding(4, 3).Call(input.Symbol)]);
        Assert.Equal(new[] { 3 }, model.OutputShapes[0]);
        var y = model.Forward(new LayerValue(Tensor.FromValues([1f, 2], 2)))[0];
        Assert.Equal(new[] { 2, 3 }, y.Data.Shape.ToArray());
        Assert.Null(y.Lengths);
    }
}
