using Recur.Layers;
using Recur.Tensors;
using Recur.Tests.Reference;

namespace Recur.Tests.Layers;

/// <summary>Dense against a double-precision loop and finite differences of L = Σ y ⊙ G.</summary>
[Collection(Recur.Tests.Layers.AllocationSensitive.Name)]
public class DenseTests
{
    [Fact]
    public void Has_pytorch_names_shapes_and_init_range()
    {
        var dense = new Dense(16, 5, seed: 1);
        Assert.Equal(["weight", "bias"], dense.Parameters.Select(p => p.Name));
        Assert.Equal([5, 16], dense.Weight.Value.Shape.ToArray());
        Assert.Equal([5], dense.Bias!.Value.Shape.ToArray());
        foreach (var p in dense.Parameters)
        {
            Assert.All(p.Value.Span.ToArray(), v => Assert.InRange(v, -0.25f, 0.25f));
        }

        Assert.Equal(["weight"], new Dense(3, 2, bias: false).Parameters.Select(p => p.Name));
    }

    [Theory]
    [InlineData(new[] { 7, 3 }, true)]
    [InlineData(new[] { 4, 3, 7 }, true)]
    [InlineData(new[] { 2, 2, 2, 7 }, false)]
    [InlineData(new[] { 7 }, true)]
    public void Forward_matches_a_double_loop_on_the_last_axis(int[] inputShape, bool bias)
    {
        const int o = 5;
        var dense = new Dense(inputShape[^1], o, bias, seed: 2);
        var x = Tensor.FromValues(Tolerance.RandomNormal(new Rng(3), inputShape.Aggregate(1, (a, b) => a * b)), inputShape);

        var y = dense.Forward(x);

        Assert.Equal([.. inputShape[..^1], o], y.Shape.ToArray());
        Tolerance.AssertClose(Naive(dense, Tolerance.ToDouble(x.Span)), y.Span, 1e-6, "y");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Backward_matches_finite_differences_for_input_weight_and_bias(bool bias)
    {
        int[] shape = [3, 2, 4];
        const int o = 3;
        var rng = new Rng(5);
        var dense = new Dense(4, o, bias, seed: 4);
        var x = Tolerance.ToDouble(Tolerance.RandomNormal(rng, 24));
        var g = Tolerance.ToDouble(Tolerance.RandomNormal(rng, 3 * 2 * o));

        dense.Forward(Tensor.FromValues(x.Select(v => (float)v).ToArray(), shape));
        dense.ZeroGrad();
        var dx = dense.Backward(Tensor.FromValues(g.Select(v => (float)v).ToArray(), [3, 2, o]));

        double Loss() => Naive(dense, x).Zip(g, (a, b) => a * b).Sum();
        Assert.Equal(shape, dx.Shape.ToArray());
        Tolerance.AssertClose(FiniteDifferences(x, v => x = v, Loss), dx.Span, 1e-4, "dX");
        foreach (var p in dense.Parameters)
        {
            var values = Tolerance.ToDouble(p.Value.Span);
            var expected = FiniteDifferences(values, v => Write(v, p.Value.Span), Loss);
            Tolerance.AssertClose(expected, p.Grad.Span, 1e-4, "d" + p.Name);
        }
    }

    [Fact]
    public void Backward_adds_into_the_gradients()
    {
        var dense = new Dense(3, 2, seed: 6);
        var x = Tensor.FromValues([1f, 2f, 3f], 1, 3);
        var g = Tensor.FromValues([0.5f, -1f], 1, 2);
        dense.Forward(x);
        dense.Backward(g);
        var once = dense.Weight.Grad.Clone();
        dense.Backward(g);

        Tolerance.AssertClose(once.Span.ToArray().Select(v => 2f * v).ToArray(), dense.Weight.Grad.Span, 1e-7, "2 x dW");
    }

    [Fact]
    public void A_steady_state_step_allocates_nothing()
    {
        var dense = new Dense(8, 6, seed: 7);
        var x = new Tensor(5, 4, 8);
        var g = new Tensor(5, 4, 6);
        dense.Forward(x);
        dense.Backward(g);

        long before = GC.GetAllocatedBytesForCurrentThread();
        dense.Forward(x);
        dense.Backward(g);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Bad_shapes_name_the_argument_and_both_shapes()
    {
        var dense = new Dense(4, 3);
        var e = Assert.Throws<ArgumentException>(() => dense.Forward(new Tensor(2, 5)));
        Assert.Equal("input", e.ParamName);
        Assert.Contains("(..., 4)", e.Message);
        Assert.Contains("(2, 5)", e.Message);

        Assert.Throws<InvalidOperationException>(() => dense.Backward(new Tensor(2, 3)));

        dense.Forward(new Tensor(2, 4));
        e = Assert.Throws<ArgumentException>(() => dense.Backward(new Tensor(3, 3)));
        Assert.Equal("outputGradient", e.ParamName);
        Assert.Contains("(2, 3)", e.Message);
        Assert.Contains("(3, 3)", e.Message);

        var nan = new Tensor(1, 4);
        nan[0, 2] = float.NaN;
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => dense.Forward(nan)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dense(0, 3));
    }

    /// <summary>y = x·Wᵀ + b in double, (N, I) → (N, O).</summary>
    private static double[] Naive(Dense dense, double[] x)
    {
        int i = dense.InFeatures, o = dense.OutFeatures, rows = x.Length / i;
        var w = dense.Weight.Value;
        var y = new double[rows * o];
        for (int n = 0; n < rows; n++)
        {
            for (int j = 0; j < o; j++)
            {
                double sum = dense.Bias is null ? 0 : dense.Bias.Value[j];
                for (int p = 0; p < i; p++)
                {
                    sum += x[n * i + p] * w[j, p];
                }

                y[n * o + j] = sum;
            }
        }

        return y;
    }

    /// <summary>Central differences of <paramref name="loss"/> with respect to each of <paramref name="values"/>.</summary>
    private static double[] FiniteDifferences(double[] values, Action<double[]> set, Func<double> loss)
    {
        const double h = 1e-3;
        var grad = new double[values.Length];
        for (int k = 0; k < values.Length; k++)
        {
            double v = values[k];
            values[k] = v + h;
            set(values);
            double plus = loss();
            values[k] = v - h;
            set(values);
            double minus = loss();
            values[k] = v;
            set(values);
            grad[k] = (plus - minus) / (2 * h);
        }

        return grad;
    }

    private static void Write(double[] source, Span<float> destination)
    {
        for (int k = 0; k < source.Length; k++)
        {
            destination[k] = (float)source[k];
        }
    }
}
