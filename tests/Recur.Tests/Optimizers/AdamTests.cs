using Recur.Modules;
using Recur.Optimizers;
using Recur.Tests.Reference;

namespace Recur.Tests.Optimizers;

/// <summary>Adam against torch.optim.Adam's update written out in double precision.</summary>
public class AdamTests
{
    [Theory]
    [InlineData(1e-3f, 0.9f, 0.999f, 1e-8f, 0f)]
    [InlineData(3e-2f, 0.8f, 0.99f, 1e-3f, 0.1f)]
    public void Five_steps_match_the_pytorch_update_in_double(float lr, float beta1, float beta2, float eps, float weightDecay)
    {
        var rng = new Rng(1);
        var a = new Parameter("a", 2, 3);
        var b = new Parameter("b", 4);
        foreach (var p in new[] { a, b })
        {
            Tolerance.RandomNormal(rng, p.Value.Length).CopyTo(p.Value.Span);
        }

        var theta = new[] { Tolerance.ToDouble(a.Value.Span), Tolerance.ToDouble(b.Value.Span) };
        var m = theta.Select(t => new double[t.Length]).ToArray();
        var v = theta.Select(t => new double[t.Length]).ToArray();
        var adam = new Adam([a, b], lr, beta1, beta2, eps, weightDecay);

        for (int step = 1; step <= 5; step++)
        {
            var grads = new[] { Tolerance.RandomNormal(rng, 6), Tolerance.RandomNormal(rng, 4) };
            adam.ZeroGrad();
            grads[0].CopyTo(a.Grad.Span);
            grads[1].CopyTo(b.Grad.Span);
            adam.Step();

            for (int p = 0; p < 2; p++)
            {
                for (int i = 0; i < theta[p].Length; i++)
                {
                    double g = grads[p][i] + weightDecay * theta[p][i];
                    m[p][i] = beta1 * m[p][i] + (1 - beta1) * g;
                    v[p][i] = beta2 * v[p][i] + (1 - beta2) * g * g;
                    double mHat = m[p][i] / (1 - Math.Pow(beta1, step));
                    double denom = Math.Sqrt(v[p][i]) / Math.Sqrt(1 - Math.Pow(beta2, step)) + eps;
                    theta[p][i] -= lr * mHat / denom;
                }
            }

            Tolerance.AssertClose(theta[0], a.Value.Span, 1e-6, $"a after step {step}", floor: 1);
            Tolerance.AssertClose(theta[1], b.Value.Span, 1e-6, $"b after step {step}", floor: 1);
        }

        Assert.Equal(5, adam.StepCount);
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
