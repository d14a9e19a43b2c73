using System.Runtime.Intrinsics;
using System.Text.Json.Nodes;
using Recur.Modules;

namespace Recur.Optimizers;

/// <summary>
/// Adam, exactly as <c>torch.optim.Adam</c> (without amsgrad): at step t, for every parameter θ with gradient g,
/// <code>
/// θ  = θ - lr·λ·θ                         (only with decoupled weight decay: <see cref="AdamW"/>)
/// g  = g + λ·θ                            (only without: an L2 penalty added to the gradient)
/// m  = β1·m + (1 - β1)·g                  v = β2·v + (1 - β2)·g²
/// θ  = θ - (lr / (1 - β1ᵗ)) · m / (√v / √(1 - β2ᵗ) + ε)
/// </code>
/// The moments m and v (state <c>exp_avg</c>, <c>exp_avg_sq</c>) start at zero, one pair of buffers per parameter,
/// allocated once; a step is one flat loop per parameter and allocates nothing.
/// </summary>
public class Adam : Optimizer
{
    private readonly float[][] _m; // [p]: first moment, the shape of parameter p
    private readonly float[][] _v; // [p]: second moment, the shape of parameter p

    /// <summary>Creates the optimizer with PyTorch's defaults.</summary>
    /// <param name="parameters">The parameters to update.</param>
    /// <param name="learningRate">lr, finite and >= 0.</param>
    /// <param name="beta1">β1 in [0, 1).</param>
    /// <param name="beta2">β2 in [0, 1).</param>
    /// <param name="epsilon">ε, finite and >= 0, added after the square root.</param>
    /// <param name="weightDecay">λ, the L2 coefficient, finite and >= 0.</param>
    public Adam(IEnumerable<Parameter> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f,
        float epsilon = 1e-8f, float weightDecay = 0f)
        : this(parameters, learningRate, beta1, beta2, epsilon, weightDecay, decoupledWeightDecay: false)
    {
    }

    /// <summary>As PyTorch, where <c>AdamW</c> is <c>Adam(decoupled_weight_decay=True)</c>.</summary>
    private protected Adam(IEnumerable<Parameter> parameters, float learningRate, float beta1, float beta2,
        float epsilon, float weightDecay, bool decoupledWeightDecay)
        : base(parameters, learningRate)
    {
        Beta1 = Fraction(beta1, nameof(beta1));
        Beta2 = Fraction(beta2, nameof(beta2));
        Epsilon = NonNegative(epsilon, nameof(epsilon));
        WeightDecay = NonNegative(weightDecay, nameof(weightDecay));
        DecoupledWeightDecay = decoupledWeightDecay;
        _m = AddState("exp_avg");
        _v = AddState("exp_avg_sq");
    }

    /// <summary>β1: decay of the first-moment average.</summary>
    public float Beta1 { get; }

    /// <summary>β2: decay of the second-moment average.</summary>
    public float Beta2 { get; }

    /// <summary>ε: added to the bias-corrected √v.</summary>
    public float Epsilon { get; }

    /// <summary>λ: the weight decay coefficient.</summary>
    public float WeightDecay { get; }

    /// <summary>Whether λ shrinks θ directly (AdamW) rather than adding λ·θ to the gradient.</summary>
    public bool DecoupledWeightDecay { get; }

    /// <inheritdoc />
    public override void Step()
    {
        StepCount++;
        float b1 = Beta1, b2 = Beta2, eps = Epsilon;
        float l2 = DecoupledWeightDecay ? 0f : WeightDecay;
        float shrink = DecoupledWeightDecay ? (float)(1 - (double)LearningRate * WeightDecay) : 1f; // θ·1 is exact
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
            int i = 0;

            // Eight at a time, then the tail; the lanes do exactly the scalar operations (no fused multiply-add), so
            // results are bit for bit those of the scalar loop.
            var vShrink = Vector256.Create(shrink);
            var vL2 = Vector256.Create(l2);
            var vOneMinusB1 = Vector256.Create(1f - b1);
            var vB2 = Vector256.Create(b2);
            var vOneMinusB2 = Vector256.Create(1f - b2);
            var vStep = Vector256.Create(stepSize);
            var vBc2 = Vector256.Create(bc2Sqrt);
            var vEps = Vector256.Create(eps);
            for (; i <= theta.Length - 8; i += 8)
            {
                var th = Vector256.Create<float>(theta.Slice(i, 8)) * vShrink;
                var g = Vector256.Create<float>(grad.Slice(i, 8)) + vL2 * th;
                var mi = Vector256.Create<float>(m.Slice(i, 8));
                mi += vOneMinusB1 * (g - mi);
                var vi = vB2 * Vector256.Create<float>(v.Slice(i, 8)) + vOneMinusB2 * g * g;
                th -= vStep * mi / (Vector256.Sqrt(vi) / vBc2 + vEps);
                th.CopyTo(theta.Slice(i, 8));
                mi.CopyTo(m.Slice(i, 8));
                vi.CopyTo(v.Slice(i, 8));
            }

            for (; i < theta.Length; i++)
            {
                theta[i] *= shrink;
                float g = grad[i] + l2 * theta[i];
                m[i] += (1f - b1) * (g - m[i]); // PyTorch's lerp form of β1·m + (1 - β1)·g
                v[i] = b2 * v[i] + (1f - b2) * g * g;
                theta[i] -= stepSize * m[i] / (MathF.Sqrt(v[i]) / bc2Sqrt + eps);
            }
        }
    }

    /// <inheritdoc />
    public override JsonObject GetConfig() => new()
    {
        ["type"] = DecoupledWeightDecay ? "adamw" : "adam",
        ["lr"] = LearningRate, ["beta1"] = Beta1, ["beta2"] = Beta2, ["eps"] = Epsilon, ["weight_decay"] = WeightDecay,
    };
}
