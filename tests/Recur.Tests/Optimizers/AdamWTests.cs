using Recur.Optimizers;

namespace Recur.Tests.Optimizers;

/// <summary>AdamW's decoupled decay (its update against PyTorch's is in <see cref="AdamTests"/>).</summary>
public class AdamWTests
{
    [Fact]
    public void With_a_zero_gradient_only_the_decoupled_decay_moves_the_weights()
    {
        var p = new Modules.Parameter("w", 2);
        p.Value.Span[0] = 2f;
        p.Value.Span[1] = -4f;

        new AdamW([p], learningRate: 0.1f, weightDecay: 0.5f).Step();

        Assert.Equal([2f * 0.95f, -4f * 0.95f], p.Value.Span.ToArray()); // Adam's L2 would give m = λθ and a full step
    }

    [Fact]
    public void Bad_hyper_parameters_are_refused()
    {
        var ps = OptimizerTestKit.RandomParameters(new Rng(1));
        Assert.Equal("beta1", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(ps, beta1: 1f)).ParamName);
        Assert.Equal("weightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(ps, weightDecay: -0.01f)).ParamName);
    }
}
