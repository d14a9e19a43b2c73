using Recur.Optimizers;

namespace Recur.Tests.Optimizers;

/// <summary>AdamW against torch.optim.AdamW's update (decoupled decay) written out in double precision.</summary>
public class AdamWTests
{
    [Theory]
    [InlineData(1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f)]
    [InlineData(3e-2f, 0.8f, 0.99f, 1e-3f, 0.5f)]
    public void Five_steps_match_the_pytorch_update_in_double(float lr, float beta1, float beta2, float eps, float weightDecay)
    {
        OptimizerTestKit.AssertMatchesReference(
            ps => new AdamW(ps, lr, beta1, beta2, eps, weightDecay),
            (theta, grad, state, t) =>
            {
                var (m, v) = (state[0], state[1]);
                for (int i = 0; i < theta.Length; i++)
                {
                    theta[i] *= 1 - lr * weightDecay;
                    m[i] = beta1 * m[i] + (1 - beta1) * grad[i];
                    v[i] = beta2 * v[i] + (1 - beta2) * grad[i] * grad[i];
                    double mHat = m[i] / (1 - Math.Pow(beta1, t)), vHat = v[i] / (1 - Math.Pow(beta2, t));
                    theta[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
                }
            },
            stateBuffers: 2);
    }

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
