using Recur.Tensors;

namespace Recur.Tests.Tensors;

public class TensorTests
{
    [Fact]
    public void New_tensor_is_zero_filled_with_the_given_shape()
    {
        var t = new Tensor(2, 3, 4);
        Assert.Equal(new[] { 2, 3, 4 }, t.Shape.ToArray());
        Assert.Equal(24, t.Length);
        Assert.All(t.Span.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Indexer_is_row_major()
    {
        var t = Tensor.FromValues([0, 1, 2, 3, 4, 5], 2, 3);
        Assert.Equal(5f, t[1, 2]);
        Assert.Equal(3f, t[1, 0]);
    }

    [Fact]
    public void Slice_and_reshape_view_the_same_buffer()
    {
        var t = Tensor.FromValues([0, 1, 2, 3, 4, 5], 3, 2);
        var row = t.Slice(1, 2);
        Assert.Equal(new[] { 2f, 3f, 4f, 5f }, row.Span.ToArray());
        row.Reshape(4)[0] = 42f;
        Assert.Equal(42f, t[1, 0]);
    }

    [Fact]
    public void Wrong_data_length_names_both_sizes()
    {
        var e = Assert.Throws<ArgumentException>(() => new Tensor(new float[5], 2, 3));
        Assert.Equal("data", e.ParamName);
        Assert.Contains("6", e.Message);
        Assert.Contains("5", e.Message);
    }

    [Fact]
    public void Reshape_to_another_count_names_both_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => new Tensor(2, 3).Reshape(4, 2));
        Assert.Contains("(2, 3)", e.Message);
        Assert.Contains("(4, 2)", e.Message);
    }

    [Fact]
    public void Negative_dimension_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new Tensor(2, -1));
        Assert.Contains("(2, -1)", e.Message);
    }

    [Fact]
    public void Out_of_range_index_names_the_axis()
    {
        var t = new Tensor(2, 3);
        var e = Assert.Throws<IndexOutOfRangeException>(() => t[0, 3]);
        Assert.Contains("axis 1", e.Message);
    }
}
