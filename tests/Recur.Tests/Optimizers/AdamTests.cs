using Recur.Modules;
using Recur.Optimizers;

namespace Recur.Tests.Optimizers;

/// <summary>Adam and AdamW against torch.optim.Adam's and AdamW's updates written out in double precision.</summary>
public class AdamTests
{
    [Theory]
    [InlineData(1e-3f, 0.9f, 0.999f, 1e-8f, 0f, false)]
    [InlineData(3e-2f, 0.8f, 0.99f, 1e-3f, 0.1f, false)]
    [InlineData(1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, true)]
    [InlineData(3e-2f, 0.8f, 0.99f, 1e-3f, 0.5f, true)]
    public void Five_steps_match_the_pytorch_update_in_double(float lr, float beta1, float beta2, float eps, float weightDecay, bool decoupled)
    {
        OptimizerTestKit.AssertMatchesReference(
            ps => decoupled ? new AdamW(ps, lr, beta1, beta2, eps, weightDecay) : new Adam(ps, lr, beta1, beta2, eps, weightDecay),
            (theta, grad, state, t) =>
            {
                var (m, v) = (state[0], state[1]);
                for (int i = 0; i < theta.Length; i++)
                {
                    theta[i] *= decoupled ? 1 - lr * weightDecay : 1; // AdamW: decay θ, not the gradient
                    double g = grad[i] + (decoupled ? 0 : weightDecay * theta[i]);
                    m[i] = beta1 * m[i] + (1 - beta1) * g;
                    v[i] = beta2 * v[i] + (1 - beta2) * g * g;
                    double mHat = m[i] / (1 - Math.Pow(beta1, t));
                    double denom = Math.Sqrt(v[i]) / Math.Sqrt(1 - Math.Pow(beta2, t)) + eps;
                    theta[i] -= lr * mHat / denom;
                }
            },
            stateBuffers: 2);
    }

    [Fact]
    public void The_first_step_moves_each_weight_by_the_learning_rate_against_its_gradient_sign()
    {
        var p = new Parameter("w", 3);
        var adam = new Adam([p], learningRate: 0.1f);
        p.Grad.Span[0] = 5f;
        p.Grad.Span[1] = -0.01f;

        adam.Step();

        // m̂ = g and √v̂ = |g|: the step is lr·sign(g) (ε aside); a zero gradient does not move.
        Assert.Equal([-0.1f, 0.1f, 0f], p.Value.Span.ToArray().Select(x => MathF.Round(x, 5)));
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        var p = new Parameter("w", 2);
        Assert.Equal("beta1", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], beta1: 1f)).ParamName);
        Assert.Equal("beta2", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], beta2: -0.1f)).ParamName);
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], epsilon: float.NaN)).ParamName);
        Assert.Equal("weightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], weightDecay: -1f)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], learningRate: float.PositiveInfinity));
        Assert.Equal("parameters", Assert.Throws<ArgumentException>(() => new Adam([])).ParamName);
        Assert.Contains("listed twice", Assert.Throws<ArgumentException>(() => new Adam([p, p])).Message);
    }
}
