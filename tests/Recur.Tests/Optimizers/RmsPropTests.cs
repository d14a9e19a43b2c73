using Recur.Optimizers;

namespace Recur.Tests.Optimizers;

/// <summary>RMSprop against torch.optim.RMSprop's update written out in double precision.</summary>
public class RmsPropTests
{
    [Theory]
    [InlineData(0.01f, 0.99f, 1e-8f, 0f, false, 0f)]
    [InlineData(0.01f, 0.9f, 1e-6f, 0.9f, false, 0.01f)]
    [InlineData(0.005f, 0.95f, 1e-3f, 0f, true, 0f)]
    [InlineData(0.005f, 0.9f, 1e-3f, 0.5f, true, 0.1f)]
    public void Five_steps_match_the_pytorch_update_in_double(float lr, float alpha, float eps, float momentum, bool centered, float weightDecay)
    {
        OptimizerTestKit.AssertMatchesReference(
            ps => new RmsProp(ps, lr, alpha, eps, momentum, centered, weightDecay),
            (theta, grad, state, t) =>
            {
                var (v, a, b) = (state[0], state[1], state[2]);
                for (int i = 0; i < theta.Length; i++)
                {
                    double g = grad[i] + weightDecay * theta[i];
                    v[i] = alpha * v[i] + (1 - alpha) * g * g;
                    double variance = v[i];
                    if (centered)
                    {
                        a[i] = alpha * a[i] + (1 - alpha) * g;
                        variance -= a[i] * a[i];
                    }

                    double step = g / (Math.Sqrt(variance) + eps);
                    if (momentum > 0)
                    {
                        b[i] = momentum * b[i] + step;
                        step = b[i];
                    }

                    theta[i] -= lr * step;
                }
            },
            stateBuffers: 3);
    }

    [Fact]
    public void Bad_hyper_parameters_are_refused()
    {
        var ps = OptimizerTestKit.RandomParameters(new Rng(1));
        Assert.Equal("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(ps, alpha: 1.1f)).ParamName);
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(ps, epsilon: -1f)).ParamName);
        Assert.Equal("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(ps, momentum: float.PositiveInfinity)).ParamName);
        Assert.Equal("weightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(ps, weightDecay: -0.1f)).ParamName);
    }
}
