using System.Text.Json.Nodes;
using Recur.Modules;

namespace Recur.Optimizers;

/// <summary>
/// RMSprop, exactly as <c>torch.optim.RMSprop</c>: at every step, for every parameter θ with gradient g,
/// <code>
/// g = g + λ·θ                                        (weight decay, an L2 penalty)
/// v = α·v + (1 - α)·g²                               (state <c>square_avg</c>)
/// ṽ = v,  or, centered:  a = α·a + (1 - α)·g,  ṽ = v - a²     (state <c>grad_avg</c>)
/// b = μ·b + g / (√ṽ + ε),  θ = θ - lr·b              with momentum μ &gt; 0 (state <c>momentum_buffer</c>)
/// θ = θ - lr·g / (√ṽ + ε)                            without
/// </code>
/// Every buffer starts at zero. A step is one flat loop per parameter and allocates nothing.
/// </summary>
public sealed class RmsProp : Optimizer
{
    private readonly float[][] _squareAvg;  // [p]: v, the shape of parameter p
    private readonly float[][]? _gradAvg;   // [p]: a, when centered
    private readonly float[][]? _buffer;    // [p]: b, with momentum

    /// <summary>Creates the optimizer with PyTorch's defaults.</summary>
    /// <param name="parameters">The parameters to update.</param>
    /// <param name="learningRate">lr, finite and >= 0.</param>
    /// <param name="alpha">α, the smoothing constant of the averages, in [0, 1].</param>
    /// <param name="epsilon">ε, finite and >= 0, added after the square root.</param>
    /// <param name="momentum">μ, finite and >= 0.</param>
    /// <param name="centered">Normalise by an estimate of the gradient's variance rather than its second moment.</param>
    /// <param name="weightDecay">λ, the L2 coefficient, finite and >= 0.</param>
    public RmsProp(IEnumerable<Parameter> parameters, float learningRate = 0.01f, float alpha = 0.99f, float epsilon = 1e-8f,
        float momentum = 0f, bool centered = false, float weightDecay = 0f)
        : base(parameters, learningRate)
    {
        Alpha = Fraction(alpha, nameof(alpha), includeOne: true);
        Epsilon = NonNegative(epsilon, nameof(epsilon));
        Momentum = NonNegative(momentum, nameof(momentum));
        Centered = centered;
        WeightDecay = NonNegative(weightDecay, nameof(weightDecay));
        _squareAvg = AddState("square_avg");
        _buffer = momentum > 0f ? AddState("momentum_buffer") : null;
        _gradAvg = centered ? AddState("grad_avg") : null;
    }

    /// <summary>α: the smoothing constant.</summary>
    public float Alpha { get; }

    /// <summary>ε: added to √ṽ.</summary>
    public float Epsilon { get; }

    /// <summary>μ: the momentum factor (0: none).</summary>
    public float Momentum { get; }

    /// <summary>Whether the second moment is centered by the squared mean gradient.</summary>
    public bool Centered { get; }

    /// <summary>λ: the L2 coefficient added to the gradient.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc />
    public override void Step()
    {
        StepCount++;
        float lr = LearningRate, alpha = Alpha, eps = Epsilon, mu = Momentum, wd = WeightDecay;
        var parameters = Parameters;
        for (int p = 0; p < parameters.Count; p++)
        {
            var theta = parameters[p].Value.Span;
            var grad = parameters[p].Grad.Span;
            var v = _squareAvg[p].AsSpan(0, theta.Length);
            var a = _gradAvg is null ? default : _gradAvg[p].AsSpan(0, theta.Length);
            var b = _buffer is null ? default : _buffer[p].AsSpan(0, theta.Length);
            for (int i = 0; i < theta.Length; i++)
            {
                float g = grad[i] + wd * theta[i];
                v[i] = alpha * v[i] + (1f - alpha) * g * g;
                float variance = v[i];
                if (_gradAvg is not null)
                {
                    a[i] += (1f - alpha) * (g - a[i]); // PyTorch's lerp form of α·a + (1 - α)·g
                    variance -= a[i] * a[i];
                }

                float step = g / (MathF.Sqrt(variance) + eps);
                if (_buffer is not null)
                {
                    b[i] = mu * b[i] + step;
                    step = b[i];
                }

                theta[i] -= lr * step;
            }
        }
    }

    /// <inheritdoc />
    public override JsonObject GetConfig() => new()
    {
        ["type"] = "rmsprop", ["lr"] = LearningRate, ["alpha"] = Alpha, ["eps"] = Epsilon, ["momentum"] = Momentum,
        ["centered"] = Centered, ["weight_decay"] = WeightDecay,
    };
}
