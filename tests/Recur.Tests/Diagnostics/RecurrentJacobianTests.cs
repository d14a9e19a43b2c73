using Recur.Diagnostics;
using Recur.Initializers;
using Recur.Layers;
using Recur.Tensors;
using Recur.Tests.Layers;
using Recur.Tests.Reference;
using Xunit.Abstractions;

namespace Recur.Tests.Diagnostics;

public class RecurrentJacobianTests(ITestOutputHelper output)
{
    [Fact]
    public void Spectral_radius_of_known_matrices()
    {
        // 0.9 × a rotation: a complex pair of modulus 0.9, where vector power iteration would oscillate.
        float c = 0.9f * MathF.Cos(1f), s = 0.9f * MathF.Sin(1f);
        Assert.Equal(0.9, RecurrentJacobian.SpectralRadius([c, -s, s, c], 2), 1e-5);
        Assert.Equal(3.0, RecurrentJacobian.SpectralRadius([-3, 0, 0, 0, 2, 0, 0, 0, 1], 3), 1e-5);
        Assert.Equal(0.5, RecurrentJacobian.SpectralRadius([0.5f, 100, 0, 0.5f], 2), 1e-3); // non-normal: a Jordan block
        Assert.Equal(0.0, RecurrentJacobian.SpectralRadius([0, 1, 0, 0], 2));               // nilpotent
    }

    [Fact]
    public void Spectral_radii_come_one_per_gate_block()
    {
        Assert.Equal(4, RecurrentJacobian.SpectralRadii(LayerFactory.Create(RecurrentMode.Lstm, 2, 8)).Length);
        Assert.Equal(3, RecurrentJacobian.SpectralRadii(LayerFactory.Create(RecurrentMode.Gru, 2, 8)).Length);
        var rnn = LayerFactory.Create(RecurrentMode.RnnTanh, 2, 8, layers: 2, bidirectional: true);
        Assert.Single(RecurrentJacobian.SpectralRadii(rnn, layerIndex: 1, direction: 1));
    }

    [Fact]
    public void Lag_one_Jacobian_norm_of_the_tanh_rnn_is_that_of_diag_one_minus_h_squared_times_w_hh()
    {
        const int steps = 5, input = 3, hidden = 6;
        var layer = LayerFactory.Create(RecurrentMode.RnnTanh, input, hidden, seed: 8);
        var x = Tolerance.RandomNormal(new Rng(4), steps * input);
        layer.ZeroGrad();
        var norms = RecurrentJacobian.HiddenJacobianNorms(layer, x, maxLag: 4);

        var h = layer.Forward(Tensor.FromValues(x, steps, 1, input)).Output.Span.Slice((steps - 1) * hidden, hidden);
        var w = layer.Parameters.Single(p => p.Name == "weight_hh_l0").Value.Span; // (H, H)
        double sum = 0;
        for (int i = 0; i < hidden; i++)
        {
            for (int j = 0; j < hidden; j++)
            {
                double e = (1 - (double)h[i] * h[i]) * w[i * hidden + j];
                sum += e * e;
            }
        }

        Assert.Equal(4, norms.Length);
        Assert.Equal(Math.Sqrt(sum), norms[0], 1e-5);
        Assert.All(layer.Parameters, p => Assert.All(p.Grad.Span.ToArray(), g => Assert.Equal(0f, g))); // gradients restored
    }

    [Fact]
    public void Adding_problem_at_initialisation_the_tanh_rnn_gradient_at_lag_99_is_orders_of_magnitude_below_the_lstm()
    {
        const int steps = 100, batch = 32, hidden = 32;
        var (x, y) = AddingProblem(new Rng(5), steps, batch);
        var rnn = AttenuationOverSequence(LayerFactory.Create(RecurrentMode.RnnTanh, 2, hidden, seed: 1), x, y, steps, batch);
        var lstmLayer = LayerFactory.Create(RecurrentMode.Lstm, 2, hidden, seed: 1);
        double lstmPyTorchInit = AttenuationOverSequence(lstmLayer, x, y, steps, batch);
        Init.LstmForgetGateBias(lstmLayer); // the standard LSTM init (Keras' unit_forget_bias): f ≈ σ(1) keeps c
        double lstm = AttenuationOverSequence(lstmLayer, x, y, steps, batch);

        // With PyTorch's plain init f ≈ σ(0) = 0.5 halves c every step, and the LSTM vanishes about as fast as the RNN.
        output.WriteLine($"‖∂L/∂h_0‖ / ‖∂L/∂h_99‖ (lag 99): tanh RNN {rnn:E3}, LSTM {lstm:E3} (forget bias 1; {lstmPyTorchInit:E3} without), ratio {rnn / lstm:E3}");
        Assert.True(rnn / lstm < 1e-3, $"RNN {rnn:E3}, LSTM {lstm:E3}");
    }

    /// <summary>
    /// The adding problem: x (T, B, 2) holds a uniform value and a marker, two markers per sequence (one in each
    /// half); the target is the sum of the two marked values.
    /// </summary>
    private static (float[] X, float[] Y) AddingProblem(Rng rng, int steps, int batch)
    {
        var x = new float[steps * batch * 2];
        var y = new float[batch];
        for (int b = 0; b < batch; b++)
        {
            int first = rng.NextInt(steps / 2), second = steps / 2 + rng.NextInt(steps / 2);
            for (int t = 0; t < steps; t++)
            {
                float value = (float)rng.NextDouble();
                x[(t * batch + b) * 2] = value;
                if (t == first || t == second)
                {
                    x[(t * batch + b) * 2 + 1] = 1f;
                    y[b] += value;
                }
            }
        }

        return (x, y);
    }

    /// <summary>
    /// ‖∂L/∂h_0‖ / ‖∂L/∂h_{T-1}‖ for the mean squared error of a fixed linear readout of h_{T-1}: how much of the
    /// gradient at the last step survives 99 steps back, independent of the loss's scale.
    /// </summary>
    private static double AttenuationOverSequence(RecurrentLayer layer, float[] x, float[] y, int steps, int batch)
    {
        int h = layer.HiddenSize;
        var readout = Tolerance.RandomNormal(new Rng(6), h, scale: 1.0 / Math.Sqrt(h));
        var flow = new GradientFlowRecorder();
        layer.Diagnostics = flow;
        var hSeq = layer.Forward(Tensor.FromValues(x, steps, batch, 2)).Output.Span;
        var dOut = new Tensor(steps, batch, h);
        for (int b = 0; b < batch; b++)
        {
            var hLast = hSeq.Slice(((steps - 1) * batch + b) * h, h);
            float error = System.Numerics.Tensors.TensorPrimitives.Dot(hLast, readout) - y[b];
            // L = mean_b (readout·h_{T-1,b} - y_b)²
            System.Numerics.Tensors.TensorPrimitives.Multiply(readout, 2f * error / batch, dOut.Span.Slice(((steps - 1) * batch + b) * h, h));
        }

        layer.Backward(dOut);
        var norms = flow.Trace(0).HiddenGradientNorm;
        return (double)norms[0] / norms[steps - 1];
    }
}
