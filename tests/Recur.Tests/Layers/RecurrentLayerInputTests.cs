using Recur.Layers;
using Recur.Tensors;

namespace Recur.Tests.Layers;

/// <summary>Bad input to the recurrent layers: each error names the argument, the expected and the actual shape or value.</summary>
public class RecurrentLayerInputTests
{
    [Fact]
    public void Input_of_the_wrong_rank_names_the_layout_and_the_shape()
    {
        var e = Assert.Throws<ArgumentException>(() => new Lstm(7, 13).Forward(new Tensor(5, 7)));
        Assert.Equal("input", e.ParamName);
        Assert.Contains("rank-3", e.Message);
        Assert.Contains("(T, B, I)", e.Message);
        Assert.Contains("(5, 7)", e.Message);
    }

    [Fact]
    public void Input_with_the_wrong_feature_count_names_both_sizes()
    {
        var e = Assert.Throws<ArgumentException>(() => new Gru(7, 13).Forward(new Tensor(5, 2, 6)));
        Assert.Equal("input", e.ParamName);
        Assert.Contains("I = 7", e.Message);
        Assert.Contains("(5, 2, 6)", e.Message);
    }

    [Fact]
    public void Batch_first_input_is_described_as_batch_first()
    {
        var e = Assert.Throws<ArgumentException>(() => new Rnn(3, 4, batchFirst: true).Forward(new Tensor(2, 5, 4)));
        Assert.Contains("(B, T, I)", e.Message);
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(4, 0)]
    public void An_empty_sequence_or_batch_is_rejected(int steps, int batch)
    {
        var e = Assert.Throws<ArgumentException>(() => new Lstm(3, 4).Forward(new Tensor(steps, batch, 3)));
        Assert.Equal("input", e.ParamName);
        Assert.Contains("T, B >= 1", e.Message);
        Assert.Contains($"({steps}, {batch}, 3)", e.Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void A_non_finite_input_names_its_position(float bad)
    {
        var x = new Tensor(4, 2, 3);
        x[2, 1, 0] = bad;
        var e = Assert.Throws<ArgumentException>(() => new Gru(3, 4).Forward(x));
        Assert.Equal("input", e.ParamName);
        Assert.Contains("(2, 1, 0)", e.Message);
        Assert.Contains(bad.ToString(System.Globalization.CultureInfo.CurrentCulture), e.Message);
    }

    [Fact]
    public void An_initial_state_of_the_wrong_shape_names_both_shapes()
    {
        var lstm = new Lstm(3, 4, numLayers: 2, bidirectional: true);
        var e = Assert.Throws<ArgumentException>(() =>
            lstm.Forward(new Tensor(5, 2, 3), new RecurrentState(new Tensor(2, 2, 4), new Tensor(4, 2, 4))));
        Assert.Equal("initialState", e.ParamName);
        Assert.Contains("(4, 2, 4)", e.Message);
        Assert.Contains("(2, 2, 4)", e.Message);
    }

    [Fact]
    public void An_lstm_needs_the_cell_state_and_a_gru_refuses_one()
    {
        var h = new Tensor(1, 2, 4);
        var e1 = Assert.Throws<ArgumentException>(() => new Lstm(3, 4).Forward(new Tensor(5, 2, 3), new RecurrentState(h)));
        Assert.Contains("cell state", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => new Gru(3, 4).Forward(new Tensor(5, 2, 3), new RecurrentState(h, new Tensor(1, 2, 4))));
        Assert.Contains("no cell state", e2.Message);
    }

    [Fact]
    public void A_nan_in_the_initial_state_is_rejected()
    {
        var h = new Tensor(1, 2, 4);
        h[0, 1, 3] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => new Rnn(3, 4).Forward(new Tensor(5, 2, 3), new RecurrentState(h)));
        Assert.Equal("initialState", e.ParamName);
        Assert.Contains("(0, 1, 3)", e.Message);
    }

    [Fact]
    public void Backward_before_forward_says_so()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new Lstm(3, 4).Backward(new Tensor(5, 2, 4)));
        Assert.Contains("Forward first", e.Message);
    }

    [Fact]
    public void An_output_gradient_of_the_wrong_shape_names_both_shapes()
    {
        var gru = new Gru(3, 4, bidirectional: true);
        gru.Forward(new Tensor(5, 2, 3));
        var e = Assert.Throws<ArgumentException>(() => gru.Backward(new Tensor(5, 2, 4)));
        Assert.Equal("outputGradient", e.ParamName);
        Assert.Contains("(5, 2, 8)", e.Message);
        Assert.Contains("(5, 2, 4)", e.Message);
    }

    [Fact]
    public void A_nan_output_gradient_is_rejected()
    {
        var rnn = new Rnn(3, 4);
        rnn.Forward(new Tensor(2, 1, 3));
        var g = new Tensor(2, 1, 4);
        g[1, 0, 2] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => rnn.Backward(g));
        Assert.Equal("outputGradient", e.ParamName);
    }

    [Fact]
    public void A_final_state_gradient_of_the_wrong_shape_is_rejected()
    {
        var lstm = new Lstm(3, 4);
        lstm.Forward(new Tensor(2, 3, 3));
        var e = Assert.Throws<ArgumentException>(() =>
            lstm.Backward(new Tensor(2, 3, 4), new RecurrentState(new Tensor(1, 3, 4), new Tensor(1, 2, 4))));
        Assert.Equal("finalStateGradient", e.ParamName);
        Assert.Contains("(1, 2, 4)", e.Message);
    }

    [Theory]
    [InlineData(0, 4, 1, 0f)]
    [InlineData(3, 0, 1, 0f)]
    [InlineData(3, 4, 0, 0f)]
    [InlineData(3, 4, 2, 1f)]
    [InlineData(3, 4, 2, -0.1f)]
    [InlineData(3, 4, 2, float.NaN)]
    public void Invalid_construction_arguments_are_rejected(int input, int hidden, int layers, float dropout)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Lstm(input, hidden, layers, dropout: dropout));
    }

    [Fact]
    public void An_undefined_nonlinearity_is_rejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Rnn(3, 4, nonlinearity: (RnnNonlinearity)7));
        Assert.Equal("nonlinearity", e.ParamName);
    }

    [Fact]
    public void Loading_a_state_dict_of_another_shape_names_the_entry_and_both_shapes()
    {
        var state = new Lstm(3, 5).StateDict();
        var e = Assert.Throws<ArgumentException>(() => new Lstm(3, 4).LoadStateDict(state));
        Assert.Contains("weight_ih_l0", e.Message);
        Assert.Contains("(20, 3)", e.Message);
        Assert.Contains("(16, 3)", e.Message);
    }

    [Fact]
    public void Loading_a_state_dict_with_missing_and_extra_names_lists_them()
    {
        var state = new Lstm(3, 4).StateDict();
        state.Remove("bias_hh_l0");
        state["weight_ih_l1"] = new Tensor(16, 4);
        var e = Assert.Throws<ArgumentException>(() => new Lstm(3, 4).LoadStateDict(state));
        Assert.Contains("missing [bias_hh_l0]", e.Message);
        Assert.Contains("unexpected [weight_ih_l1]", e.Message);
    }
}
