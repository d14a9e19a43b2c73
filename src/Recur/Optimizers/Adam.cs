using Recur.Modules;

namespace Recur.Optimizers;

/// <summary>
/// Adam, exactly as <c>torch.optim.Adam</c> (without amsgrad): at step t, for every parameter θ with gradient g,
/// <code>
/// g  = g + weightDecay·θ                  (L2 penalty, added to the gradient; not AdamW's decoupled decay)
/// m  = β1·m + (1 - β1)·g                  v = β2·v + (1 - β2)·g²
/// θ  = θ - (lr / (1 - β1ᵗ)) · m / (√v / √(1 - β2ᵗ) + ε)
/// </code>
/// The moments m and v start at zero, one pair of buffers per parameter, allocated once.
/// </summary>
public sealed class Adam : Optimizer
{
    private readonly float[][] _m; // [p]: first moment, the shape of parameter p
    private readonly float[][] _v; // [p]: second moment, the shape of parameter p

    /// <summary>Creates the optimizer with PyTorch's defaults.</summary>
    /// <param name="parameters">The parameters to update.</param>
    /// <param name="learningRate">lr, finite and >= 0.</param>
    /// <param name="beta1">β1 in [0, 1).</param>
    /// <param name="beta2">β2 in [0, 1).</param>
    /// <param name="epsilon">ε, finite and >= 0, added after the square root.</param>
    /// <param name="weightDecay">L2 coefficient, finite and >= 0.</param>
    public Adam(IEnumerable<Parameter> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f,
        float epsilon = 1e-8f, float weightDecay = 0f)
        : base(parameters, learningRate)
    {
        if (!(beta1 >= 0f && beta1 < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1: expected a value in [0, 1).");
        }

        if (!(beta2 >= 0f && beta2 < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2: expected a value in [0, 1).");
        }

        if (!(epsilon >= 0f && float.IsFinite(epsilon)))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon: expected a finite value >= 0.");
        }

        if (!(weightDecay >= 0f && float.IsFinite(weightDecay)))
        {
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "weightDecay: expected a finite value >= 0.");
        }

        (Beta1, Beta2, Epsilon, WeightDecay) = (beta1, beta2, epsilon, weightDecay);
        _m = Parameters.Select(p => new float[p.Value.Length]).ToArray();
        _v = Parameters.Select(p => new float[p.Value.Length]).ToArray();
    }

    /// <summary>β1: decay of the first-moment average.</summary>
    public float Beta1 { get; }

    /// <summary>β2: decay of the second-moment average.</summary>
    public float Beta2 { get; }

    /// <summary>ε: added to the bias-corrected √v.</summary>
    public float Epsilon { get; }

    /// <summary>The L2 coefficient added to the gradient.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc />
    public override void Step()
    {
        StepCount++;
        float b1 = Beta1, b2 = Beta2, eps = Epsilon, wd = WeightDecay;
        double t = StepCount;
        float stepSize = (float)(LearningRate / (1 - Math.Pow(b1, t)));
        float bc2Sqrt = (float)Math.Sqrt(1 - Math.Pow(b2, t));
        var parameters = Parameters;
        for (int p = 0; p < parameters.Count; p++)
        {
            var theta = parameters[p].Value.Span;
            var grad = parameters[p].Grad.Span;
            var m = _m[p].AsSpan(0, theta.Length);
            var v = _v[p].AsSpan(0, theta.Length);
            for (int i = 0; i < theta.Length; i++)
            {
                float g = grad[i] + wd * theta[i];
                m[i] += (1f - b1) * (g - m[i]); // PyTorch's lerp form of β1·m + (1 - β1)·g
                v[i] = b2 * v[i] + (1f - b2) * g * g;
                theta[i] -= stepSize * m[i] / (MathF.Sqrt(v[i]) / bc2Sqrt + eps);
            }
        }
    }
}
