using Recur.Layers;
using Recur.Tensors;
using Recur.Tests.Reference;

namespace Recur.Tests.Layers;

/// <summary>A padded batch with lengths gives each sequence exactly what it gives alone: outputs, states, gradients.</summary>
public class VariableLengthTests
{
    private const double Tol = 1e-5;

    [Theory]
    [InlineData(RecurrentMode.Lstm, false, false)]
    [InlineData(RecurrentMode.Lstm, true, true)]
    [InlineData(RecurrentMode.Gru, true, false)]
    [InlineData(RecurrentMode.Gru, false, true)]
    [InlineData(RecurrentMode.RnnTanh, true, true)]
    [InlineData(RecurrentMode.RnnRelu, false, false)]
    public void A_padded_batch_matches_each_sequence_run_alone(RecurrentMode mode, bool bidirectional, bool withState)
    {
        const int steps = 7, input = 3, hidden = 5, layers = 2;
        int[] lengths = [7, 3, 1, 5];
        int batch = lengths.Length, d = bidirectional ? 2 : 1, states = layers * d;
        var rng = new Rng(21);
        var x = Tensor.FromValues(Tolerance.RandomNormal(rng, steps * batch * input), steps, batch, input);
        var h0 = Tensor.FromValues(Tolerance.RandomNormal(rng, states * batch * hidden), states, batch, hidden);
        var c0 = Tensor.FromValues(Tolerance.RandomNormal(rng, states * batch * hidden), states, batch, hidden);
        var gOut = Tensor.FromValues(Tolerance.RandomNormal(rng, steps * batch * d * hidden), steps, batch, d * hidden);
        var gHn = Tensor.FromValues(Tolerance.RandomNormal(rng, states * batch * hidden), states, batch, hidden);
        var gCn = Tensor.FromValues(Tolerance.RandomNormal(rng, states * batch * hidden), states, batch, hidden);

        var padded = LayerFactory.Create(mode, input, hidden, layers, bidirectional, seed: 4);
        bool cell = padded.HasCellState;
        var init = withState ? new RecurrentState(h0, cell ? c0 : null) : null;
        var result = padded.Forward(x, init, lengths);
        var output = result.Output.Clone();
        var hn = result.FinalState.Hidden.Clone();
        var cn = result.FinalState.Cell?.Clone();
        padded.ZeroGrad();
        var grads = padded.Backward(gOut, new RecurrentState(gHn, cell ? gCn : null));
        var dInput = grads.Input.Clone();
        var dh0 = grads.InitialState.Hidden.Clone();

        var alone = LayerFactory.Create(mode, input, hidden, layers, bidirectional, seed: 4);
        alone.ZeroGrad();
        for (int b = 0; b < batch; b++)
        {
            int len = lengths[b];
            var xb = Rows(x, b, len);
            var initB = withState ? new RecurrentState(StateRow(h0, b), cell ? StateRow(c0, b) : null) : null;
            var rb = alone.Forward(xb, initB);
            Tolerance.AssertClose(rb.Output.Span, Rows(output, b, len).Span, Tol, $"output of sequence {b}");
            Tolerance.AssertClose(rb.FinalState.Hidden.Span, StateRow(hn, b).Span, Tol, $"h_n of sequence {b}");
            if (cell)
            {
                Tolerance.AssertClose(rb.FinalState.Cell!.Span, StateRow(cn!, b).Span, Tol, $"c_n of sequence {b}");
            }

            for (int t = len; t < steps; t++)
            {
                Assert.All(output.Slice(t, 1).Span.Slice(b * d * hidden, d * hidden).ToArray(), v => Assert.Equal(0f, v));
            }

            var gb = alone.Backward(Rows(gOut, b, len), new RecurrentState(StateRow(gHn, b), cell ? StateRow(gCn, b) : null));
            Tolerance.AssertClose(gb.Input.Span, Rows(dInput, b, len).Span, Tol, $"grad input of sequence {b}");
            Tolerance.AssertClose(gb.InitialState.Hidden.Span, StateRow(dh0, b).Span, Tol, $"grad h0 of sequence {b}");
            for (int t = len; t < steps; t++)
            {
                Assert.All(dInput.Slice(t, 1).Span.Slice(b * input, input).ToArray(), v => Assert.Equal(0f, v));
            }
        }

        // The alone-layer summed its gradients over the four runs: the padded batch must give the same sums.
        foreach (var p in padded.Parameters)
        {
            Tolerance.AssertClose(alone.GetParameter(p.Name).Grad.Span, p.Grad.Span, Tol, "grad " + p.Name);
        }
    }

    [Fact]
    public void Lengths_must_match_the_batch_and_lie_in_one_to_t()
    {
        var lstm = new Lstm(2, 3);
        var x = new Tensor(4, 2, 2);
        var e1 = Assert.Throws<ArgumentException>(() => lstm.Forward(x, null, [4, 4, 4]));
        Assert.Equal("lengths", e1.ParamName);
        Assert.Contains("B = 2", e1.Message);
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => lstm.Forward(x, null, [4, 0]));
        Assert.Contains("lengths[1]", e2.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => lstm.Forward(x, null, [5, 1]));
    }

    [Theory]
    [InlineData(RecurrentMode.Lstm, 16)]  // the fused single-sequence step, one step at a time
    [InlineData(RecurrentMode.Gru, 128)]  // the same, its units split across the threads
    public void One_padded_sequence_gives_what_its_valid_steps_give_alone(RecurrentMode mode, int hidden)
    {
        var rng = new Rng(8);
        var x = Tensor.FromValues(Tolerance.RandomNormal(rng, 7 * 3), 7, 1, 3);
        var padded = LayerFactory.Create(mode, 3, hidden, 1, bidirectional: true, seed: 5);
        var alone = LayerFactory.Create(mode, 3, hidden, 1, bidirectional: true, seed: 5);
        for (int round = 0; round < 2; round++) // the second round runs with W_hh changed in between
        {
            var result = padded.Forward(x, null, [4]);
            var expected = alone.Forward(Rows(x, 0, 4));
            Tolerance.AssertClose(expected.Output.Span, result.Output.Slice(0, 4).Span, Tol, "valid steps");
            Tolerance.AssertClose(expected.FinalState.Hidden.Span, result.FinalState.Hidden.Span, Tol, "h_n");
            Assert.All(result.Output.Slice(4, 3).Span.ToArray(), v => Assert.Equal(0f, v));

            padded.GetParameter("weight_hh_l0").Value.Span[^1] += 0.25f;
            alone.GetParameter("weight_hh_l0").Value.Span[^1] += 0.25f;
        }
    }

    [Fact]
    public void Full_lengths_take_the_same_path_as_no_lengths()
    {
        var gru = new Gru(2, 3, seed: 2);
        var x = Tensor.FromValues(Tolerance.RandomNormal(new Rng(1), 4 * 2 * 2), 4, 2, 2);
        var expected = gru.Forward(x).Output.Clone();
        Assert.Equal(expected.Span.ToArray(), gru.Forward(x, null, [4, 4]).Output.Span.ToArray());
    }

    // Rows t < len of sequence b from a (T, B, N) tensor, as a (len, 1, N) tensor.
    private static Tensor Rows(Tensor x, int b, int len)
    {
        int n = x.Dim(2), batch = x.Dim(1);
        var r = new Tensor(len, 1, n);
        for (int t = 0; t < len; t++)
        {
            x.Span.Slice((t * batch + b) * n, n).CopyTo(r.Span.Slice(t * n, n));
        }

        return r;
    }

    // The (L·D, 1, H) state of sequence b from a (L·D, B, H) state.
    private static Tensor StateRow(Tensor s, int b)
    {
        int states = s.Dim(0), batch = s.Dim(1), h = s.Dim(2);
        var r = new Tensor(states, 1, h);
        for (int i = 0; i < states; i++)
        {
            s.Span.Slice((i * batch + b) * h, h).CopyTo(r.Span.Slice(i * h, h));
        }

        return r;
    }
}
