using Recur.Modules;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Recur.Optimizers;

/// <summary>
/// Gradient clipping, as <c>torch.nn.utils.clip_grad_norm_</c> and <c>clip_grad_value_</c>. Both report the global
/// norm before and after, and whether they fired.
/// </summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales every gradient by <c>min(1, maxNorm / (norm + 1e-6))</c>, where norm is the L2 norm of all the gradients
    /// taken together, so that their global norm is at most <paramref name="maxNorm"/>.
    /// </summary>
    /// <param name="parameters">The parameters whose gradients to clip.</param>
    /// <param name="maxNorm">The largest global norm allowed; finite and > 0.</param>
    /// <returns>
    /// The global norm before and after. When it is NaN or infinite the gradients are left unchanged (PyTorch would
    /// scale them into NaN), so the caller can skip the step.
    /// </returns>
    public static ClipResult ClipByGlobalNorm(IReadOnlyList<Parameter> parameters, float maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm > 0f && float.IsFinite(maxNorm)))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "maxNorm: expected a finite value > 0.");
        }

        float norm = GlobalNorm(parameters);
        float coefficient = maxNorm / (norm + 1e-6f);
        if (!(float.IsFinite(norm) && coefficient < 1f))
        {
            return new ClipResult(norm, norm, Clipped: false);
        }

        for (int p = 0; p < parameters.Count; p++)
        {
            TensorPrimitives.Multiply(parameters[p].Grad.Span, coefficient, parameters[p].Grad.Span);
        }

        return new ClipResult(norm, GlobalNorm(parameters), Clipped: true);
    }

    /// <summary>Clamps every gradient element to [-<paramref name="clipValue"/>, <paramref name="clipValue"/>].</summary>
    /// <param name="parameters">The parameters whose gradients to clip.</param>
    /// <param name="clipValue">The largest magnitude allowed; finite and > 0.</param>
    /// <returns>The global norm before and after; <c>Clipped</c> when any element was beyond the bound.</returns>
    public static ClipResult ClipByValue(IReadOnlyList<Parameter> parameters, float clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(clipValue > 0f && float.IsFinite(clipValue)))
        {
            throw new ArgumentOutOfRangeException(nameof(clipValue), clipValue, "clipValue: expected a finite value > 0.");
        }

        float before = GlobalNorm(parameters);
        bool clipped = false;
        for (int p = 0; p < parameters.Count; p++)
        {
            var g = parameters[p].Grad.Span;
            for (int i = 0; i < g.Length; i++)
            {
                if (Math.Abs(g[i]) > clipValue) // NaN stays NaN, as torch.clamp
                {
                    g[i] = g[i] > 0f ? clipValue : -clipValue;
                    clipped = true;
                }
            }
        }

        return new ClipResult(before, clipped ? GlobalNorm(parameters) : before, clipped);
    }

    /// <summary>√(Σ g²) over every gradient element of every parameter, accumulated in double.</summary>
    public static float GlobalNorm(IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        double sumSquares = 0;
        for (int p = 0; p < parameters.Count; p++) // not foreach: an interface enumerator allocates
        {
            var g = parameters[p].Grad.Span;
            for (int i = 0; i < g.Length; i++)
            {
                sumSquares += (double)g[i] * g[i];
            }
        }

        return (float)Math.Sqrt(sumSquares);
    }
}
