using Recur.Kernels;
using Recur.Layers;
using Recur.Tensors;
using Recur.Tests.Reference;

namespace Recur.Tests.Layers;

/// <summary>The fast float32 layers against the double-precision reference: outputs, final states, all gradients.</summary>
[Collection(Recur.Tests.Layers.AllocationSensitive.Name)]
public class RecurrentLayerTests
{
    private const double Tol = 1e-5;

    public static TheoryData<RecurrentMode, int, int, int, int, int, bool, bool, bool> Configs()
    {
        var data = new TheoryData<RecurrentMode, int, int, int, int, int, bool, bool, bool>();
        foreach (var mode in Enum.GetValues<RecurrentMode>())
        {
            // mode, T, B, I, H, layers, bidirectional, batchFirst, initial state
            data.Add(mode, 1, 1, 7, 13, 1, false, false, false);
            data.Add(mode, 6, 3, 7, 13, 1, false, false, true);
            data.Add(mode, 5, 2, 7, 13, 2, true, false, true);
            data.Add(mode, 4, 3, 5, 20, 2, false, true, false);
            data.Add(mode, 9, 2, 3, 8, 1, true, true, true);
            data.Add(mode, 3, 1, 5, 520, 1, true, false, true); // one sequence, wide: its step splits hidden units across threads
            data.Add(mode, 4, 1, 3, 64, 2, false, true, true);   // one sequence, H a multiple of 8: the fused single-sequence step
            data.Add(mode, 3, 25, 5, 48, 2, true, false, true); // B·H >= 1024: gate kernels split the batch across threads
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Forward_and_backward_match_the_double_precision_reference(
        RecurrentMode mode, int steps, int batch, int input, int hidden, int layers, bool bidirectional, bool batchFirst, bool withState)
    {
        var layer = LayerFactory.Create(mode, input, hidden, layers, bidirectional, batchFirst, seed: 3);
        var net = LayerFactory.Twin(mode, layer);
        var rng = new Rng(11);
        int d = layer.Directions, states = layers * d * batch * hidden;

        var xTimeMajor = Tolerance.RandomNormal(rng, steps * batch * input);
        var h0 = withState ? Tolerance.RandomNormal(rng, states) : null;
        var c0 = withState && layer.HasCellState ? Tolerance.RandomNormal(rng, states) : null;
        var gOut = Tolerance.RandomNormal(rng, steps * batch * d * hidden);
        var gHn = Tolerance.RandomNormal(rng, states);
        var gCn = layer.HasCellState ? Tolerance.RandomNormal(rng, states) : null;

        int[] inShape = batchFirst ? [batch, steps, input] : [steps, batch, input];
        int[] outShape = batchFirst ? [batch, steps, d * hidden] : [steps, batch, d * hidden];
        var x = Tensor.FromValues(batchFirst ? SwapAxes(xTimeMajor, steps, batch, input) : xTimeMajor, inShape);
        var init = withState ? new RecurrentState(
            Tensor.FromValues(h0, layers * d, batch, hidden),
            c0 is null ? null : Tensor.FromValues(c0, layers * d, batch, hidden)) : null;

        var result = layer.Forward(x, init);
        var expected = net.Forward(Tolerance.ToDouble(xTimeMajor), steps, batch,
            h0 is null ? null : Tolerance.ToDouble(h0), c0 is null ? null : Tolerance.ToDouble(c0));

        Assert.Equal(outShape, result.Output.Shape.ToArray());
        Tolerance.AssertClose(expected.Output, TimeMajor(result.Output.Span, batchFirst, steps, batch, d * hidden), Tol, "output");
        Tolerance.AssertClose(expected.Hn, result.FinalState.Hidden.Span, Tol, "h_n");
        if (layer.HasCellState)
        {
            Tolerance.AssertClose(expected.Cn, result.FinalState.Cell!.Span, Tol, "c_n");
        }

        var gOutTensor = Tensor.FromValues(batchFirst ? SwapAxes(gOut, steps, batch, d * hidden) : gOut, outShape);
        var gState = new RecurrentState(
            Tensor.FromValues(gHn, layers * d, batch, hidden),
            gCn is null ? null : Tensor.FromValues(gCn, layers * d, batch, hidden));
        layer.ZeroGrad();
        var grads = layer.Backward(gOutTensor, gState);
        var expectedGrads = net.Backward(Tolerance.ToDouble(gOut), Tolerance.ToDouble(gHn), gCn is null ? null : Tolerance.ToDouble(gCn));

        Tolerance.AssertClose(expectedGrads.Input, TimeMajor(grads.Input.Span, batchFirst, steps, batch, input), Tol, "grad input");
        Tolerance.AssertClose(expectedGrads.H0, grads.InitialState.Hidden.Span, Tol, "grad h0");
        if (layer.HasCellState)
        {
            Tolerance.AssertClose(expectedGrads.C0, grads.InitialState.Cell!.Span, Tol, "grad c0");
        }

        foreach (var p in layer.Parameters)
        {
            Tolerance.AssertClose(expectedGrads.Weights[p.Name], p.Grad.Span, Tol, "grad " + p.Name);
        }
    }

    [Theory]
    [InlineData(RecurrentMode.Lstm)]
    [InlineData(RecurrentMode.Gru)]
    [InlineData(RecurrentMode.RnnTanh)]
    public void A_layer_without_biases_matches_the_reference(RecurrentMode mode)
    {
        AssertNoBiasLayerMatches(mode, hidden: 9, batch: 2);
        AssertNoBiasLayerMatches(mode, hidden: 16, batch: 1); // the fused single-sequence step
    }

    private static void AssertNoBiasLayerMatches(RecurrentMode mode, int hidden, int batch)
    {
        var layer = LayerFactory.Create(mode, 4, hidden, 2, bidirectional: true, bias: false);
        Assert.DoesNotContain(layer.Parameters, p => p.Name.StartsWith("bias", StringComparison.Ordinal));
        var net = LayerFactory.Twin(mode, layer);
        var rng = new Rng(5);
        var x = Tolerance.RandomNormal(rng, 3 * batch * 4);
        var result = layer.Forward(Tensor.FromValues(x, 3, batch, 4));
        var expected = net.Forward(Tolerance.ToDouble(x), 3, batch, null, null);
        Tolerance.AssertClose(expected.Output, result.Output.Span, Tol, "output");

        var g = Tolerance.RandomNormal(rng, result.Output.Length);
        layer.ZeroGrad();
        layer.Backward(Tensor.FromValues(g, result.Output.Shape.ToArray()));
        var eg = net.Backward(Tolerance.ToDouble(g), null, null);
        foreach (var p in layer.Parameters)
        {
            Tolerance.AssertClose(eg.Weights[p.Name], p.Grad.Span, Tol, "grad " + p.Name);
        }
    }

    [Fact]
    public void Parameter_names_shapes_and_order_follow_pytorch()
    {
        var lstm = new Lstm(7, 13, numLayers: 2, bidirectional: true);
        Assert.Equal(
            new[]
            {
                "weight_ih_l0 (52, 7)", "weight_hh_l0 (52, 13)", "bias_ih_l0 (52)", "bias_hh_l0 (52)",
                "weight_ih_l0_reverse (52, 7)", "weight_hh_l0_reverse (52, 13)", "bias_ih_l0_reverse (52)", "bias_hh_l0_reverse (52)",
                "weight_ih_l1 (52, 26)", "weight_hh_l1 (52, 13)", "bias_ih_l1 (52)", "bias_hh_l1 (52)",
                "weight_ih_l1_reverse (52, 26)", "weight_hh_l1_reverse (52, 13)", "bias_ih_l1_reverse (52)", "bias_hh_l1_reverse (52)",
            },
            lstm.Parameters.Select(p => p.ToString()));
        Assert.Equal(3 * 13, new Gru(7, 13).GetParameter("weight_hh_l0").Value.Dim(0));
        Assert.Equal(13, new Rnn(7, 13).GetParameter("bias_ih_l0").Value.Dim(0));
    }

    [Fact]
    public void Default_initialisation_is_uniform_within_one_over_sqrt_hidden()
    {
        var gru = new Gru(10, 64, seed: 42);
        float bound = 1f / MathF.Sqrt(64);
        var all = gru.Parameters.SelectMany(p => p.Value.Span.ToArray()).ToArray();
        Assert.All(all, v => Assert.InRange(v, -bound, bound));

        // Uniform on [-k, k]: mean near 0 and variance k²/3.
        double mean = all.Average(v => (double)v), variance = all.Average(v => (double)v * v);
        Assert.InRange(mean, -0.01 * bound, 0.01 * bound);
        Assert.InRange(variance, 0.95 * bound * bound / 3, 1.05 * bound * bound / 3);
        Assert.NotEqual(all, new Gru(10, 64, seed: 43).Parameters.SelectMany(p => p.Value.Span.ToArray()));
        Assert.Equal(all, new Gru(10, 64, seed: 42).Parameters.SelectMany(p => p.Value.Span.ToArray()));
    }

    [Fact]
    public void Dropout_between_layers_is_off_in_evaluation_and_its_gradient_matches_finite_differences()
    {
        var lstm = new Lstm(3, 6, numLayers: 2, dropout: 0.5f, seed: 9);
        var rng = new Rng(1);
        var x = Tensor.FromValues(Tolerance.RandomNormal(rng, 4 * 2 * 3), 4, 2, 3);

        lstm.Training = false;
        var evalOut = lstm.Forward(x).Output.Clone();
        var twin = LayerFactory.Twin(RecurrentMode.Lstm, lstm);
        Tolerance.AssertClose(twin.Forward(Tolerance.ToDouble(x.Span), 4, 2, null, null).Output, evalOut.Span, Tol, "eval output");

        // In training mode the masks differ per call, so check the gradient w.r.t. a weight by finite differences
        // with the mask held fixed: reseed an identical layer for each evaluation.
        var g = Tolerance.RandomNormal(rng, 4 * 2 * 6);
        double Loss(float delta)
        {
            var copy = new Lstm(3, 6, numLayers: 2, dropout: 0.5f, seed: 9);
            copy.GetParameter("weight_hh_l0").Value.Span[5] += delta;
            var o = copy.Forward(x).Output.Span;
            double s = 0;
            for (int i = 0; i < o.Length; i++)
            {
                s += o[i] * g[i];
            }

            return s;
        }

        var trained = new Lstm(3, 6, numLayers: 2, dropout: 0.5f, seed: 9);
        var trainOut = trained.Forward(x).Output;
        Assert.NotEqual(evalOut.Span.ToArray(), trainOut.Span.ToArray());
        trained.Backward(Tensor.FromValues(g, 4, 2, 6));
        double numeric = (Loss(1e-2f) - Loss(-1e-2f)) / 2e-2;
        Assert.Equal(numeric, trained.GetParameter("weight_hh_l0").Grad.Span[5], 3);
    }

    [Fact]
    public void Backward_adds_into_gradients_until_zero_grad()
    {
        var rnn = new Rnn(2, 3, seed: 4);
        var x = Tensor.FromValues([0.1f, -0.2f, 0.3f, 0.4f], 2, 1, 2);
        rnn.Forward(x);
        var g = Tensor.FromValues([1f, 1, 1, 1, 1, 1], 2, 1, 3);
        rnn.Backward(g);
        var once = rnn.GetParameter("weight_hh_l0").Grad.Span.ToArray();
        rnn.Backward(g);
        var twice = rnn.GetParameter("weight_hh_l0").Grad.Span.ToArray();
        Assert.Equal(once.Select(v => 2 * v), twice);
        rnn.ZeroGrad();
        Assert.All(rnn.GetParameter("weight_hh_l0").Grad.Span.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void A_steady_state_training_step_allocates_nothing()
    {
        var lstm = new Lstm(16, 32, numLayers: 2, bidirectional: true, batchFirst: true, dropout: 0.2f);
        var x = Tensor.FromValues(Tolerance.RandomNormal(new Rng(2), 4 * 10 * 16), 4, 10, 16);
        var g = new Tensor(4, 10, 64);
        g.Span.Fill(0.01f);
        Allocations.AssertSteadyStateAllocatesNothing(() =>
        {
            lstm.ZeroGrad();
            lstm.Forward(x);
            lstm.Backward(g);
        });
    }

    private static float[] SwapAxes(float[] x, int d0, int d1, int n)
    {
        var r = new float[x.Length];
        Elementwise.SwapLeadingAxes(x, d0, d1, n, r);
        return r;
    }

    private static float[] TimeMajor(ReadOnlySpan<float> x, bool batchFirst, int steps, int batch, int n)
    {
        if (!batchFirst)
        {
            return x.ToArray();
        }

        var r = new float[x.Length];
        Elementwise.SwapLeadingAxes(x, batch, steps, n, r);
        return r;
    }
}
