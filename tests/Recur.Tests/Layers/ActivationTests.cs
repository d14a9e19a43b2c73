using Recur.Layers;
using Recur.Models;
using Recur.Tensors;
using Recur.Tests.Models;

namespace Recur.Tests.Layers;

public class ActivationTests
{
    private static float[] Run(ActivationKind kind, Tensor x)
    {
        var outputs = new LayerValue[1];
        new Activation(kind).Forward([new LayerValue(x)], outputs);
        return outputs[0].Data.Span.ToArray();
    }

    [Theory]
    [InlineData(ActivationKind.Relu)]
    [InlineData(ActivationKind.Tanh)]
    [InlineData(ActivationKind.Sigmoid)]
    public void Elementwise_kinds_apply_their_function(ActivationKind kind)
    {
        var x = Tensor.FromValues([-3f, -0.5f, 0f, 0.25f, 4f, 20f], 2, 3);
        Func<double, double> f = kind switch
        {
            ActivationKind.Relu => v => Math.Max(0, v),
            ActivationKind.Tanh => Math.Tanh,
            _ => v => 1 / (1 + Math.Exp(-v)),
        };
        var y = Run(kind, x);
        for (int i = 0; i < y.Length; i++)
        {
            Assert.Equal(f(x.Span[i]), y[i], 6);
        }
    }

    [Fact]
    public void Softmax_normalises_each_row_of_the_last_axis_without_overflow()
    {
        var y = Run(ActivationKind.Softmax, Tensor.FromValues([1000f, 1001f, 1002f, -5f, 0f, 5f], 2, 3));
        double[] e = [Math.Exp(-2), Math.Exp(-1), 1];
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(e[i] / e.Sum(), y[i], 6);
        }

        Assert.Equal(1.0, y[3] + y[4] + y[5], 6);
        Assert.Equal(Math.Exp(5) / (Math.Exp(-5) + 1 + Math.Exp(5)), y[5], 6);
    }

    [Theory]
    [InlineData(ActivationKind.Relu)]
    [InlineData(ActivationKind.Tanh)]
    [InlineData(ActivationKind.Sigmoid)]
    [InlineData(ActivationKind.Softmax)]
    public void Gradients_match_finite_differences(ActivationKind kind)
    {
        var input = new Input(-1, 3);
        var dense = new Dense(3, 4, seed: 2);
        var model = new Model([input.Symbol], [new Activation(kind).Call(dense.Call(input.Symbol))]);
        var rng = new Rng(11);
        GraphCheck.Gradients(model, [new LayerValue(GraphCheck.Normal(rng, 2, 3, 3))], GraphCheck.Normal(rng, 2, 3, 4), ["dense.weight", "dense.bias"]);
    }

    [Fact]
    public void Lengths_pass_through()
    {
        int[] lengths = [2];
        var outputs = new LayerValue[1];
        new Activation(ActivationKind.Relu).Forward([new LayerValue(new Tensor(1, 3, 2), lengths)], outputs);
        Assert.Same(lengths, outputs[0].Lengths);
    }

    [Fact]
    public void Softmax_needs_a_last_axis_and_unknown_kinds_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new Activation(ActivationKind.Softmax).Call(new Input().Symbol));
        Assert.Contains("Activation", e.Message);
        Assert.Contains("()", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Activation((ActivationKind)9));
    }
}
