using Recur.Modules;

namespace Recur.Optimizers;

/// <summary>Gradient clipping, as <c>torch.nn.utils.clip_grad_norm_</c>.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales every gradient by <c>min(1, maxNorm / (norm + 1e-6))</c>, where norm is the L2 norm of all the gradients
    /// taken together, so that their global norm is at most <paramref name="maxNorm"/>.
    /// </summary>
    /// <param name="parameters">The parameters whose gradients to clip.</param>
    /// <param name="maxNorm">The largest global norm allowed; finite and > 0.</param>
    /// <returns>
    /// The global norm before clipping. When it is NaN or infinite the gradients are left unchanged (PyTorch would
    /// scale them into NaN), so the caller can skip the step.
    /// </returns>
    public static float ClipByGlobalNorm(IReadOnlyList<Parameter> parameters, float maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm > 0f && float.IsFinite(maxNorm)))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "maxNorm: expected a finite value > 0.");
        }

        double sumSquares = 0;
        for (int p = 0; p < parameters.Count; p++) // not foreach: an interface enumerator allocates
        {
            var g = parameters[p].Grad.Span;
            for (int i = 0; i < g.Length; i++)
            {
                sumSquares += (double)g[i] * g[i];
            }
        }

        float norm = (float)Math.Sqrt(sumSquares);
        float coefficient = maxNorm / (norm + 1e-6f);
        if (float.IsFinite(norm) && coefficient < 1f)
        {
            for (int p = 0; p < parameters.Count; p++)
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(parameters[p].Grad.Span, coefficient, parameters[p].Grad.Span);
            }
        }

        return norm;
    }
}
