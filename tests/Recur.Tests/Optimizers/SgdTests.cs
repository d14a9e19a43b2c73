using Recur.Optimizers;

namespace Recur.Tests.Optimizers;

/// <summary>SGD against torch.optim.SGD's update written out in double precision.</summary>
public class SgdTests
{
    [Theory]
    [InlineData(0.1f, 0f, 0f, false, 0f)]
    [InlineData(0.05f, 0.9f, 0f, false, 0.01f)]
    [InlineData(0.05f, 0.9f, 0.3f, false, 0f)]
    [InlineData(0.02f, 0.8f, 0f, true, 0.1f)]
    public void Five_steps_match_the_pytorch_update_in_double(float lr, float momentum, float dampening, bool nesterov, float weightDecay)
    {
        OptimizerTestKit.AssertMatchesReference(
            ps => new Sgd(ps, lr, momentum, dampening, nesterov, weightDecay),
            (theta, grad, state, t) =>
            {
                var b = state[0];
                for (int i = 0; i < theta.Length; i++)
                {
                    double g = grad[i] + weightDecay * theta[i];
                    if (momentum != 0)
                    {
                        b[i] = t == 1 ? g : momentum * b[i] + (1 - dampening) * g;
                        g = nesterov ? g + momentum * b[i] : b[i];
                    }

                    theta[i] -= lr * g;
                }
            },
            stateBuffers: 1);
    }

    [Fact]
    public void Bad_hyper_parameters_are_refused()
    {
        var ps = OptimizerTestKit.RandomParameters(new Rng(1));
        Assert.Equal("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(ps, 0.1f, momentum: -0.5f)).ParamName);
        Assert.Equal("dampening", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(ps, 0.1f, dampening: 1.5f)).ParamName);
        Assert.Equal("weightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(ps, 0.1f, weightDecay: float.NaN)).ParamName);
        var e = Assert.Throws<ArgumentException>(() => new Sgd(ps, 0.1f, momentum: 0f, nesterov: true));
        Assert.Equal("nesterov", e.ParamName);
        Assert.Contains("momentum > 0", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(ps, -1f));
    }
}
