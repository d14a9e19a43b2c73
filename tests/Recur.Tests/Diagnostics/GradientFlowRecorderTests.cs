using Recur.Training;
using Recur.Diagnostics;
using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Tests.Layers;
using Recur.Tests.Reference;

namespace Recur.Tests.Diagnostics;

[Collection(AllocationSensitive.Name)]
public class GradientFlowRecorderTests
{
    [Theory]
    [InlineData(RecurrentMode.RnnTanh)]
    [InlineData(RecurrentMode.Gru)]
    [InlineData(RecurrentMode.Lstm)]
    public void Recorded_state_gradient_norms_equal_finite_differences_of_the_loss(RecurrentMode mode)
    {
        const int steps = 6, batch = 2, input = 3, hidden = 5;
        var layer = LayerFactory.Create(mode, input, hidden, seed: 4);
        var net = LayerFactory.Twin(mode, layer);
        var rng = new Rng(9);
        var x = Tolerance.RandomNormal(rng, steps * batch * input);
        var gOut = Tolerance.RandomNormal(rng, steps * batch * hidden); // L = Σ_t <gOut_t, h_t>
        var flow = new GradientFlowRecorder();
        layer.Diagnostics = flow;
        layer.Forward(Tensor.FromValues(x, steps, batch, input));
        layer.Backward(Tensor.FromValues(gOut, steps, batch, hidden));
        var trace = flow.Trace(0);

        for (int k = 0; k < steps; k++)
        {
            var (dh, dc) = FiniteDifferenceStateGradients(net, Tolerance.ToDouble(x), Tolerance.ToDouble(gOut), k, steps, batch);
            Assert.Equal(Norm(dh), trace.HiddenGradientNorm[k], 1e-4 * Norm(dh));
            if (layer.HasCellState)
            {
                Assert.Equal(Norm(dc!), trace.CellGradientNorm[k], 1e-4 * Norm(dc!));
            }
        }
    }

    [Fact]
    public void Gate_statistics_are_the_forward_activations_means_and_saturated_fractions()
    {
        var layer = LayerFactory.Create(RecurrentMode.Gru, 2, 4, seed: 2);
        var flow = new GradientFlowRecorder();
        layer.Diagnostics = flow;
        var x = Tensor.FromValues(Tolerance.RandomNormal(new Rng(1), 3 * 2 * 2, scale: 30), 3, 2, 2); // large inputs saturate gates
        layer.Forward(x);
        layer.Backward(new Tensor(3, 2, 4));
        var trace = flow.Trace(0);

        Assert.Equal(["reset", "update"], trace.GateNames);
        for (int t = 0; t < 3; t++)
        {
            for (int g = 0; g < 2; g++)
            {
                Assert.InRange(trace.GateMean(g)[t], 0f, 1f);
                Assert.InRange(trace.GateSaturation(g)[t], 0f, 1f);
            }
        }

        Assert.Contains(Enumerable.Range(0, 3), t => trace.GateSaturation(0)[t] > 0f);
        Assert.True(trace.CellGradientNorm.Count == 0);
    }

    [Fact]
    public void Training_with_diagnostics_is_bit_identical_to_training_without()
    {
        var without = TrainedParameters(recorder: null);
        var flow = new GradientFlowRecorder();
        var with = TrainedParameters(flow);

        Assert.Equal(without, with);
        Assert.Equal(2 * 4, flow.OptimizerSteps.Count); // 2 epochs of 4 batches
        Assert.Contains(flow.OptimizerSteps, s => s.Clipped && s.NormAfter < s.NormBefore);
        Assert.Equal(4, flow.Traces.Count); // 2 stacked layers, 2 directions
        Assert.All(flow.Traces, t => Assert.Equal(7, t.OptimizerStep));

        var csv = flow.ToCsv().Split('\n');
        Assert.Equal("step,layer,direction,t,quantity,value", csv[0]);
        Assert.StartsWith("0,,,,grad_norm_before,", csv[1]);
        Assert.Contains(csv, line => line.StartsWith("7,1,1,9,gate_mean_forget,", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_clipping_the_step_norm_is_the_global_norm_before_and_after()
    {
        var flow = new GradientFlowRecorder();
        TrainedParameters(flow, clip: false);
        Assert.All(flow.OptimizerSteps, s => Assert.True(s.NormBefore == s.NormAfter && !s.Clipped && s.NormBefore > 0));
    }

    [Theory]
    [InlineData(RecurrentMode.RnnTanh)]
    [InlineData(RecurrentMode.Gru)]
    [InlineData(RecurrentMode.Lstm)]
    public void An_attached_recorder_allocates_nothing_in_a_steady_state_training_step(RecurrentMode mode)
    {
        var layer = LayerFactory.Create(mode, 3, 16, layers: 2, bidirectional: true, seed: 5);
        var x = Tensor.FromValues(Tolerance.RandomNormal(new Rng(2), 12 * 4 * 3), 12, 4, 3);
        var g = Tensor.FromValues(Tolerance.RandomNormal(new Rng(3), 12 * 4 * 32), 12, 4, 32);
        void Step()
        {
            layer.Forward(x);
            layer.ZeroGrad();
            layer.Backward(g);
        }

        Allocations.AssertSteadyStateAllocatesNothing(Step);
        var detached = layer.Parameters.Select(p => p.Grad.Span.ToArray()).ToArray();

        layer.Diagnostics = new GradientFlowRecorder();
        Allocations.AssertSteadyStateAllocatesNothing(Step);
        Assert.Equal(detached, layer.Parameters.Select(p => p.Grad.Span.ToArray()).ToArray());
    }

    /// <summary>
    /// ∂L/∂h_k (and ∂L/∂c_k) by central differences in double precision: the reference runs steps 0..k, then the
    /// rest of the sequence from the perturbed state; L = Σ_t &lt;gOut_t, h_t&gt;.
    /// </summary>
    private static (double[] Dh, double[]? Dc) FiniteDifferenceStateGradients(NaiveRecurrent net, double[] x, double[] gOut, int k, int steps, int batch)
    {
        int h = net.HiddenSize, input = net.InputSize, bh = batch * h;
        var head = net.Forward(x[..((k + 1) * batch * input)], k + 1, batch, null, null);
        double Loss(double[] hk, double[]? ck)
        {
            double loss = 0;
            for (int i = 0; i < bh; i++)
            {
                loss += gOut[k * bh + i] * hk[i];
            }

            if (k + 1 < steps)
            {
                var tail = net.Forward(x[((k + 1) * batch * input)..], steps - k - 1, batch, hk, ck);
                for (int i = 0; i < tail.Output.Length; i++)
                {
                    loss += gOut[(k + 1) * bh + i] * tail.Output[i];
                }
            }

            return loss;
        }

        const double delta = 1e-5;
        double[] Derivative(bool cell)
        {
            var grad = new double[bh];
            for (int i = 0; i < bh; i++)
            {
                var (hp, hm, cp, cm) = ((double[])head.Hn.Clone(), (double[])head.Hn.Clone(), (double[]?)head.Cn?.Clone(), (double[]?)head.Cn?.Clone());
                if (cell)
                {
                    // h_k = o_k ⊙ tanh(c_k) moves with c_k.
                    PerturbCell(hp, cp!, i, delta);
                    PerturbCell(hm, cm!, i, -delta);
                }
                else
                {
                    hp[i] += delta;
                    hm[i] -= delta;
                }
                grad[i] = (Loss(hp, cp) - Loss(hm, cm)) / (2 * delta);
            }

            return grad;
        }

        return (Derivative(cell: false), net.HasCell ? Derivative(cell: true) : null);
    }

    private static void PerturbCell(double[] h, double[] c, int i, double delta)
    {
        double o = h[i] / Math.Tanh(c[i]);
        c[i] += delta;
        h[i] = o * Math.Tanh(c[i]);
    }

    private static double Norm(double[] v) => Math.Sqrt(v.Sum(e => e * e));

    /// <summary>Two epochs of a bidirectional 2-layer LSTM regressor; the parameters afterwards.</summary>
    private static float[][] TrainedParameters(GradientFlowRecorder? recorder, bool clip = true)
    {
        const int samples = 32, steps = 10;
        var rng = new Rng(7);
        var x = Tensor.FromValues(Tolerance.RandomNormal(rng, samples * steps * 2), samples, steps, 2);
        var y = Tensor.FromValues(Tolerance.RandomNormal(rng, samples), samples, 1);
        var model = new Sequential(
            new Input(-1, 2),
            new Lstm(2, 6, numLayers: 2, bidirectional: true, seed: 1) { ReturnSequences = false },
            new Dense(12, 1, seed: 2));
        model.Compile(new MeanSquaredError(), new Adam(model.Parameters, 0.01f), clipNorm: clip ? 0.05f : null);
        model.Diagnostics = recorder;
        model.Fit(new Dataset(DataField.FromTensor(x), DataField.FromTensor(y)), epochs: 2, batchSize: 8, seed: 3);
        return model.Parameters.Select(p => p.Value.Span.ToArray()).ToArray();
    }
}
