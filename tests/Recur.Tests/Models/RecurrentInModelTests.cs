using Recur.Layers;
using Recur.Models;
using Recur.Tensors;
using Recur.Tests.Reference;

namespace Recur.Tests.Models;

/// <summary>Recurrent layers as graph nodes: last step, returned states, sum-merged directions, initial states from the graph.</summary>
public class RecurrentInModelTests
{
    private const double Tol = 1e-5;

    [Theory]
    [InlineData(false, BidirectionalMerge.Concat)]
    [InlineData(true, BidirectionalMerge.Concat)]
    [InlineData(true, BidirectionalMerge.Sum)]
    public void Last_step_output_equals_the_final_states_and_its_gradient_matches_finite_differences(bool bidirectional, BidirectionalMerge merge)
    {
        var input = new Input(-1, 3);
        var lstm = new Lstm(3, 4, numLayers: 2, bidirectional: bidirectional, seed: 3) { ReturnSequences = false, Merge = merge };
        var model = new Model([input.Symbol], [lstm.Call(input.Symbol)]);
        int features = bidirectional && merge == BidirectionalMerge.Concat ? 8 : 4;
        Assert.Equal(new[] { features }, model.OutputShapes[0]);

        var rng = new Rng(4);
        var x = Tensor.FromValues(Tolerance.RandomNormal(rng, 2 * 5 * 3), 2, 5, 3);
        var g = Tensor.FromValues(Tolerance.RandomNormal(rng, 2 * features), 2, features);
        int[] lengths = [5, 2];

        double Loss()
        {
            var y = model.Forward(new LayerValue(x, lengths))[0].Data.Span;
            double s = 0;
            for (int i = 0; i < y.Length; i++)
            {
                s += y[i] * g[i / features, i % features];
            }

            return s;
        }

        Loss();
        model.ZeroGrad();
        model.Backward(g);
        CheckGradients(model, Loss, "lstm.weight_hh_l1", "lstm.weight_ih_l0", "lstm.bias_hh_l0");
    }

    [Fact]
    public void An_encoder_state_can_start_a_decoder_and_gradients_flow_back_through_it()
    {
        var encIn = new Input(-1, 3);
        var decIn = new Input(-1, 2);
        var encoder = new Gru(3, 6, seed: 1) { ReturnSequences = false, ReturnState = true };
        var enc = encoder.CallMany(encIn.Symbol);
        var decoder = new Gru(2, 6, seed: 2);
        var dec = decoder.CallMany(decIn.Symbol, enc[1]);
        var model = new Model([encIn.Symbol, decIn.Symbol], [dec[0]]);
        Assert.Equal(new[] { -1, 6 }, model.OutputShapes[0]);

        var rng = new Rng(6);
        var xe = Tensor.FromValues(Tolerance.RandomNormal(rng, 2 * 4 * 3), 2, 4, 3);
        var xd = Tensor.FromValues(Tolerance.RandomNormal(rng, 2 * 3 * 2), 2, 3, 2);
        var g = Tensor.FromValues(Tolerance.RandomNormal(rng, 2 * 3 * 6), 2, 3, 6);

        // The decoder's output equals running the decoder alone from the encoder's final state.
        var y = model.Forward(new LayerValue(xe), new LayerValue(xd))[0].Data.Clone();
        var encAlone = new Gru(3, 6, seed: 1, batchFirst: true).Forward(xe).FinalState.Hidden.Clone();
        var decAlone = new Gru(2, 6, seed: 2, batchFirst: true).Forward(xd, new RecurrentState(encAlone)).Output;
        Tolerance.AssertClose(decAlone.Span, y.Span, Tol, "decoder output");

        double Loss()
        {
            var o = model.Forward(new LayerValue(xe), new LayerValue(xd))[0].Data.Span;
            double s = 0;
            for (int i = 0; i < o.Length; i++)
            {
                s += o[i] * g.Span[i];
            }

            return s;
        }

        model.ZeroGrad();
        Loss();
        model.Backward(g);
        CheckGradients(model, Loss, "gru.weight_hh_l0", "gru.bias_ih_l0", "gru_1.weight_ih_l0");
    }

    [Fact]
    public void A_value_used_twice_gets_the_sum_of_both_gradients()
    {
        var input = new Input(-1, 2);
        var rnn = new Rnn(2, 3, seed: 5) { ReturnState = true };
        var outs = rnn.CallMany(input.Symbol);
        var second = new Rnn(3, 3, seed: 6) { ReturnSequences = false };
        var model = new Model([input.Symbol], [outs[0], second.CallMany(outs[0], outs[1])[0]]);

        var rng = new Rng(9);
        var x = Tensor.FromValues(Tolerance.RandomNormal(rng, 2 * 4 * 2), 2, 4, 2);
        var g0 = Tensor.FromValues(Tolerance.RandomNormal(rng, 2 * 4 * 3), 2, 4, 3);
        var g1 = Tensor.FromValues(Tolerance.RandomNormal(rng, 2 * 3), 2, 3);

        double Loss()
        {
            var o = model.Forward(new LayerValue(x));
            double s = 0;
            for (int i = 0; i < g0.Length; i++)
            {
                s += o[0].Data.Span[i] * g0.Span[i];
            }

            for (int i = 0; i < g1.Length; i++)
            {
                s += o[1].Data.Span[i] * g1.Span[i];
            }

            return s;
        }

        Loss();
        model.ZeroGrad();
        model.Backward(g0, g1);
        CheckGradients(model, Loss, "rnn.weight_hh_l0", "rnn.weight_ih_l0", "rnn_1.weight_hh_l0");
    }

    [Fact]
    public void A_stateful_layer_continues_each_row_across_batches_like_one_long_run()
    {
        var input = new Input(-1, 2);
        var model = new Model([input.Symbol], [new Lstm(2, 4, numLayers: 2, seed: 8) { Stateful = true }.Call(input.Symbol)]);
        var whole = new Lstm(2, 4, numLayers: 2, seed: 8, batchFirst: true);
        var x = Tensor.FromValues(Tolerance.RandomNormal(new Rng(3), 3 * 10 * 2), 3, 10, 2);
        var expected = whole.Forward(x).Output.Clone();

        for (int chunk = 0; chunk < 2; chunk++)
        {
            var part = new Tensor(3, 5, 2);
            for (int b = 0; b < 3; b++)
            {
                x.Span.Slice((b * 10 + chunk * 5) * 2, 10).CopyTo(part.Span.Slice(b * 10, 10));
            }

            var y = model.Forward(new LayerValue(part))[0].Data;
            for (int b = 0; b < 3; b++)
            {
                Tolerance.AssertClose(expected.Span.Slice((b * 10 + chunk * 5) * 4, 20), y.Span.Slice(b * 20, 20), Tol, $"chunk {chunk} row {b}");
            }

            model.Backward(new Tensor(3, 5, 4)); // truncated: nothing flows into the previous chunk
        }

        model.ResetStates();
        var first = new Tensor(3, 5, 2);
        x.Span[..10].CopyTo(first.Span[..10]);
        Assert.Throws<ArgumentException>(() =>
        {
            model.Forward(new LayerValue(first));
            model.Forward(new LayerValue(new Tensor(2, 5, 2)));
        });
    }

    [Fact]
    public void A_layer_can_join_only_one_graph_and_inputs_are_checked()
    {
        var input = new Input(-1, 2);
        var lstm = new Lstm(2, 3);
        lstm.Call(input.Symbol);
        Assert.Throws<InvalidOperationException>(() => lstm.Call(input.Symbol));

        var e = Assert.Throws<ArgumentException>(() => new Lstm(4, 3).Call(new Input(-1, 2).Symbol));
        Assert.Contains("(T, 4)", e.Message);
        Assert.Contains("(-1, 2)", e.Message);

        var model = new Model([input.Symbol], [input.Symbol.Producer.Layer.Node!.Outputs[0]]);
        var bad = Assert.Throws<ArgumentException>(() => model.Forward(new LayerValue(new Tensor(2, 5, 3))));
        Assert.Contains("(B, T, 2)", bad.Message);
        Assert.Contains("(2, 5, 3)", bad.Message);
    }

    internal static void CheckGradients(Model model, Func<double> loss, params string[] names)
    {
        foreach (var name in names)
        {
            var p = model.Parameters.Single(q => q.Name == name);
            for (int i = 0; i < Math.Min(p.Value.Length, 12); i++)
            {
                float saved = p.Value.Span[i];
                p.Value.Span[i] = saved + 1e-2f;
                double plus = loss();
                p.Value.Span[i] = saved - 1e-2f;
                double minus = loss();
                p.Value.Span[i] = saved;
                double numeric = (plus - minus) / 2e-2;
                Assert.True(Math.Abs(numeric - p.Grad.Span[i]) <= 2e-3 * Math.Max(1, Math.Abs(numeric)),
                    $"{name}[{i}]: finite difference {numeric:G6}, backward {p.Grad.Span[i]:G6}");
            }
        }
    }
}
