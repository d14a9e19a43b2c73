using Recur.Models;
using Recur.Tensors;

namespace Recur.Tests.Models;

/// <summary>Finite-difference checks of a model's parameter gradients for the loss L = Σ y·g over its first output.</summary>
internal static class GraphCheck
{
    /// <summary>
    /// Runs backward for L = Σ y ⊙ g and compares the named parameters' gradients with finite differences.
    /// <paramref name="beforeForward"/> runs before every forward pass (e.g. to replay the same dropout masks).
    /// </summary>
    public static void Gradients(Model model, LayerValue[] inputs, Tensor g, string[] names, Action? beforeForward = null)
    {
        double Loss()
        {
            beforeForward?.Invoke();
            var y = model.Forward(inputs)[0].Data.Span;
            Assert.Equal(g.Length, y.Length);
            double s = 0;
            for (int i = 0; i < y.Length; i++)
            {
                s += y[i] * g.Span[i];
            }

            return s;
        }

        Loss();
        model.ZeroGrad();
        model.Backward(g);
        RecurrentInModelTests.CheckGradients(model, Loss, names);
    }

    /// <summary>A tensor of standard normal values.</summary>
    public static Tensor Normal(Rng rng, params int[] shape)
    {
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++)
        {
            t.Span[i] = (float)rng.NextGaussian();
        }

        return t;
    }
}
