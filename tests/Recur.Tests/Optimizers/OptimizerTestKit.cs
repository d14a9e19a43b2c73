using Recur.Modules;
using Recur.Optimizers;
using Recur.Tests.Reference;

namespace Recur.Tests.Optimizers;

/// <summary>Runs an optimizer on random gradients beside a double-precision reference of PyTorch's documented update.</summary>
internal static class OptimizerTestKit
{
    /// <summary>Two parameters with random values, (2, 3) and (4).</summary>
    public static Parameter[] RandomParameters(Rng rng)
    {
        var parameters = new[] { new Parameter("a", 2, 3), new Parameter("b", 4) };
        foreach (var p in parameters)
        {
            Tolerance.RandomNormal(rng, p.Value.Length).CopyTo(p.Value.Span);
        }

        return parameters;
    }

    /// <summary>
    /// Five steps on random gradients; after each, every value must match <paramref name="reference"/>(θ, g, state, t),
    /// which updates one parameter's double copy in place, within 1e-6 relative.
    /// </summary>
    public static void AssertMatchesReference(Func<Parameter[], Optimizer> create, Action<double[], double[], double[][], int> reference, int stateBuffers)
    {
        var rng = new Rng(11);
        var parameters = RandomParameters(rng);
        var theta = parameters.Select(p => Tolerance.ToDouble(p.Value.Span)).ToArray();
        var state = theta.Select(t => Enumerable.Range(0, stateBuffers).Select(_ => new double[t.Length]).ToArray()).ToArray();
        var optimizer = create(parameters);
        for (int step = 1; step <= 5; step++)
        {
            optimizer.ZeroGrad();
            for (int p = 0; p < parameters.Length; p++)
            {
                var g = Tolerance.RandomNormal(rng, theta[p].Length);
                g.CopyTo(parameters[p].Grad.Span);
                reference(theta[p], Tolerance.ToDouble(g), state[p], step);
            }

            optimizer.Step();
            for (int p = 0; p < parameters.Length; p++)
            {
                Tolerance.AssertClose(theta[p], parameters[p].Value.Span, 1e-6, $"{parameters[p].Name} after step {step}", floor: 1);
            }
        }

        Assert.Equal(5, optimizer.StepCount);
    }
}
