using Recur.Diagnostics;
using Recur.Layers;
using Recur.Models;
using Recur.Tensors;
using Recur.Tests.Layers;
using Recur.Tests.Reference;

namespace Recur.Tests.Diagnostics;

/// <summary>The per-step, per-unit activations read from a layer's caches, against the double-precision reference.</summary>
[Collection(AllocationSensitive.Name)]
public class RecurrentActivationsTests
{
    public static TheoryData<RecurrentMode, int, int, bool> Configs()
    {
        var data = new TheoryData<RecurrentMode, int, int, bool>();
        foreach (var mode in new[] { RecurrentMode.Lstm, RecurrentMode.Gru, RecurrentMode.RnnTanh })
        {
            // mode, B, H, bidirectional
            data.Add(mode, 3, 5, true);
            data.Add(mode, 1, 16, false); // one sequence, H a multiple of 8: the fused single-sequence step
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Every_layer_and_direction_matches_the_reference_step_by_step(RecurrentMode mode, int batch, int hidden, bool bidirectional)
    {
        const int steps = 6, input = 4, layers = 2;
        var layer = LayerFactory.Create(mode, input, hidden, layers, bidirectional, seed: 5);
        var net = LayerFactory.Twin(mode, layer);
        var rng = new Rng(12);
        int d = layer.Directions, states = layers * d * batch * hidden;
        var x = Tolerance.RandomNormal(rng, steps * batch * input);
        var h0 = Tolerance.RandomNormal(rng, states);
        var c0 = layer.HasCellState ? Tolerance.RandomNormal(rng, states) : null;
        var result = layer.Forward(Tensor.FromValues(x, steps, batch, input), new RecurrentState(
            Tensor.FromValues(h0, layers * d, batch, hidden), c0 is null ? null : Tensor.FromValues(c0, layers * d, batch, hidden)));
        net.Forward(Tolerance.ToDouble(x), steps, batch, Tolerance.ToDouble(h0), c0 is null ? null : Tolerance.ToDouble(c0));

        for (int l = 0; l < layers; l++)
        {
            for (int dir = 0; dir < d; dir++)
            {
                var seen = RecurrentActivations.Read(layer, l, dir);
                Assert.Equal(RecurrentActivations.NamesOf(layer), seen.Names);
                Assert.Equal((l, dir, batch, steps, hidden), (seen.Layer, seen.Direction, seen.Batch, seen.Steps, seen.HiddenSize));
                foreach (string name in seen.Names)
                {
                    Assert.True(seen[name].HasShape(batch, steps, hidden), $"{name}: {seen[name].ShapeText}");
                    Tolerance.AssertClose(Expected(net, seen, name), seen[name].Span, 1e-5, $"layer {l} direction {dir} {name}");
                }

                if (l == layers - 1)
                {
                    AssertHiddenIsTheOutput(seen, result.Output, dir);
                }

                if (layer.HasCellState)
                {
                    // c is read from the cell's own cache: bit for bit what the kernels computed, as their final c_n shows.
                    int last = dir == 1 ? 0 : steps - 1;
                    for (int b = 0; b < batch; b++)
                    {
                        Assert.Equal(
                            result.FinalState.Cell!.Span.Slice(((l * d + dir) * batch + b) * hidden, hidden).ToArray(),
                            seen["c"].Span.Slice((b * steps + last) * hidden, hidden).ToArray());
                    }
                }
            }
        }
    }

    [Fact]
    public void Names_follow_the_cell_type()
    {
        Assert.Equal(["h", "c", "i", "f", "g", "o"], RecurrentActivations.NamesOf(new Lstm(2, 3)));
        Assert.Equal(["h", "r", "z", "n"], RecurrentActivations.NamesOf(new Gru(2, 3)));
        Assert.Equal(["h"], RecurrentActivations.NamesOf(new Rnn(2, 3)));
    }

    [Fact]
    public void Padded_steps_are_nan_and_valid_steps_are_the_sequence_alone()
    {
        const int steps = 5, input = 3, hidden = 4;
        int[] lengths = [5, 2];
        var padded = LayerFactory.Create(RecurrentMode.Lstm, input, hidden, bidirectional: true, seed: 2);
        var alone = LayerFactory.Create(RecurrentMode.Lstm, input, hidden, bidirectional: true, seed: 2);
        var x = Tolerance.RandomNormal(new Rng(3), steps * 2 * input); // (T, B, I)
        padded.Forward(Tensor.FromValues(x, steps, 2, input), lengths: lengths);

        for (int dir = 0; dir < 2; dir++)
        {
            var seen = RecurrentActivations.Read(padded, 0, dir);
            for (int b = 0; b < 2; b++)
            {
                var one = new float[lengths[b] * input];
                for (int t = 0; t < lengths[b]; t++)
                {
                    x.AsSpan((t * 2 + b) * input, input).CopyTo(one.AsSpan(t * input));
                }

                alone.Forward(Tensor.FromValues(one, lengths[b], 1, input));
                var expected = RecurrentActivations.Read(alone, 0, dir);
                foreach (string name in seen.Names)
                {
                    var rows = seen[name].Span.Slice(b * steps * hidden, steps * hidden);
                    Tolerance.AssertClose(expected[name].Span, rows[..(lengths[b] * hidden)], 1e-6, $"direction {dir} sequence {b} {name}");
                    Assert.All(rows[(lengths[b] * hidden)..].ToArray(), v => Assert.True(float.IsNaN(v)));
                }
            }
        }
    }

    [Fact]
    public void Inside_a_model_the_hidden_state_is_the_layers_output()
    {
        var lstm = new Lstm(3, 8, numLayers: 2, seed: 4);
        var model = new Sequential(new Input(-1, 3), lstm);
        model.Training = false;
        var x = Tensor.FromValues(Tolerance.RandomNormal(new Rng(5), 2 * 7 * 3), 2, 7, 3); // (B, T, I)

        var output = model.Forward(new LayerValue(x))[0].Data; // (B, T, H)
        var seen = RecurrentActivations.Read(lstm, layerIndex: 1);

        Assert.Equal(output.Span.ToArray(), seen.Hidden.Span.ToArray());
        Assert.All(seen["f"].Span.ToArray(), v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void Bad_requests_name_what_was_expected()
    {
        var gru = new Gru(2, 3, numLayers: 2);
        var early = Assert.Throws<InvalidOperationException>(() => RecurrentActivations.Read(gru));
        Assert.Contains("forward pass first", early.Message);

        gru.Forward(new Tensor(4, 1, 2));
        var layer = Assert.Throws<ArgumentOutOfRangeException>(() => RecurrentActivations.Read(gru, layerIndex: 2));
        Assert.Equal("layerIndex", layer.ParamName);
        Assert.Contains("0..1", layer.Message);
        var direction = Assert.Throws<ArgumentOutOfRangeException>(() => RecurrentActivations.Read(gru, direction: 1));
        Assert.Contains("not bidirectional", direction.Message);
        var name = Assert.Throws<ArgumentException>(() => RecurrentActivations.Read(gru)["f"]);
        Assert.Contains("h, r, z, n", name.Message);
        Assert.Contains("'f'", name.Message);
        Assert.Throws<ArgumentNullException>(() => RecurrentActivations.Read(null!));
    }

    // The reference's value of `name` for every (b, t, j), in the (B, T, H) layout.
    private static double[] Expected(NaiveRecurrent net, RecurrentActivations seen, string name)
    {
        int h = seen.HiddenSize, block = "ifgo".IndexOf(name, StringComparison.Ordinal);
        if (net.Mode == RecurrentMode.Gru)
        {
            block = "rzn".IndexOf(name, StringComparison.Ordinal);
        }

        var expected = new double[seen.Batch * seen.Steps * h];
        for (int b = 0; b < seen.Batch; b++)
        {
            for (int t = 0; t < seen.Steps; t++)
            {
                var (gates, hidden, cell) = net.StepValues(seen.Layer, seen.Direction, t, b);
                var source = name switch { "h" => hidden, "c" => cell, _ => gates.AsSpan(block * h, h).ToArray() };
                source.CopyTo(expected, (b * seen.Steps + t) * h);
            }
        }

        return expected;
    }

    private static void AssertHiddenIsTheOutput(RecurrentActivations seen, Tensor output, int dir)
    {
        int h = seen.HiddenSize, dh = output.Dim(2);
        for (int b = 0; b < seen.Batch; b++)
        {
            for (int t = 0; t < seen.Steps; t++)
            {
                Assert.Equal(
                    output.Span.Slice((t * seen.Batch + b) * dh + dir * h, h).ToArray(),
                    seen.Hidden.Span.Slice((b * seen.Steps + t) * h, h).ToArray());
            }
        }
    }
}
