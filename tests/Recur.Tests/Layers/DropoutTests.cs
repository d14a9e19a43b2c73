using Recur.Layers;
using Recur.Models;
using Recur.Tensors;
using Recur.Tests.Models;

namespace Recur.Tests.Layers;

[Collection(Recur.Tests.Layers.AllocationSensitive.Name)]
public class DropoutTests
{
    private static Tensor Run(Dropout dropout, Tensor x, int[]? lengths = null)
    {
        var outputs = new LayerValue[1];
        dropout.Forward([new LayerValue(x, lengths)], outputs);
        return outputs[0].Data;
    }

    [Fact]
    public void Evaluation_mode_is_the_identity()
    {
        var dropout = new Dropout(0.5f, seed: 1) { Training = false };
        var x = GraphCheck.Normal(new Rng(1), 4, 5);
        var y = Run(dropout, x);
        Assert.Equal(x.Span.ToArray(), y.Span.ToArray());
        var inputGrads = new Tensor?[1];
        dropout.Backward([x], inputGrads);
        Assert.Same(x, inputGrads[0]);
    }

    [Fact]
    public void Training_zeroes_about_p_of_the_values_and_scales_the_rest()
    {
        var x = new Tensor(100, 100);
        x.Span.Fill(2f);
        var y = Run(new Dropout(0.3f, seed: 2), x).Span.ToArray();
        Assert.InRange(y.Count(v => v == 0f) / 10000.0, 0.28, 0.32);
        Assert.All(y.Where(v => v != 0f), v => Assert.Equal(2f / 0.7f, v, 6));
    }

    [Fact]
    public void The_same_seed_gives_the_same_mask_and_another_seed_another()
    {
        var x = GraphCheck.Normal(new Rng(3), 8, 16);
        var a = Run(new Dropout(0.5f, seed: 7), x).Span.ToArray();
        Assert.Equal(a, Run(new Dropout(0.5f, seed: 7), x).Span.ToArray());
        Assert.NotEqual(a, Run(new Dropout(0.5f, seed: 8), x).Span.ToArray());
    }

    [Fact]
    public void An_exported_rng_state_reproduces_the_next_mask_bit_for_bit()
    {
        var x = GraphCheck.Normal(new Rng(4), 8, 16);
        var dropout = new Dropout(0.4f, seed: 9);
        Run(dropout, x);
        var state = dropout.GetRngState();
        var next = Run(dropout, x).Span.ToArray();

        var resumed = new Dropout(0.4f, seed: 123);
        resumed.SetRngState(state);
        Assert.Equal(next, Run(resumed, x).Span.ToArray());
        dropout.SetRngState(state);
        Assert.Equal(next, Run(dropout, x).Span.ToArray());
    }

    [Fact]
    public void Backward_masks_the_gradient_as_the_forward_masked_the_input()
    {
        var input = new Input(-1, 3);
        var dense = new Dense(3, 4, seed: 1);
        var dropout = new Dropout(0.5f, seed: 5);
        var model = new Model([input.Symbol], [new Activation(ActivationKind.Tanh).Call(dropout.Call(dense.Call(input.Symbol)))]);
        var rng = new Rng(6);
        var state = dropout.GetRngState();
        GraphCheck.Gradients(model, [new LayerValue(GraphCheck.Normal(rng, 2, 5, 3))], GraphCheck.Normal(rng, 2, 5, 4),
            ["dense.weight", "dense.bias"], () => dropout.SetRngState(state));
    }

    [Fact]
    public void Lengths_pass_through_in_both_modes()
    {
        int[] lengths = [3, 1];
        var outputs = new LayerValue[1];
        foreach (bool training in new[] { true, false })
        {
            new Dropout(0.5f) { Training = training }.Forward([new LayerValue(new Tensor(2, 3, 2), lengths)], outputs);
            Assert.Same(lengths, outputs[0].Lengths);
        }
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(1f)]
    [InlineData(float.NaN)]
    public void A_probability_outside_zero_to_one_is_refused(float p) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(p));

    [Fact]
    public void A_steady_state_embedding_and_dropout_step_allocates_nothing()
    {
        var input = new Input(-1);
        var emb = new Embedding(50, 16, paddingIndex: 0, seed: 1);
        var model = new Model([input.Symbol], [new Dropout(0.3f, seed: 2).Call(emb.Call(input.Symbol))]);
        var ids = new Tensor(4, 10);
        for (int i = 0; i < ids.Length; i++)
        {
            ids.Span[i] = i % 10 < 7 ? 1 + i % 49 : 0;
        }

        var g = new Tensor(4, 10, 16);
        g.Span.Fill(0.01f);
        Allocations.AssertSteadyStateAllocatesNothing(() =>
        {
            model.ZeroGrad();
            model.Forward(new LayerValue(ids));
            model.Backward(g);
        });
    }
}
