using System.Text.Json.Nodes;
using Recur.Modules;

namespace Recur.Optimizers;

/// <summary>
/// Stochastic gradient descent, exactly as <c>torch.optim.SGD</c>: at step t, for every parameter θ with gradient g,
/// <code>
/// g = g + λ·θ                                        (weight decay, an L2 penalty)
/// b = g                           at t = 1           (momentum μ ≠ 0 only; state <c>momentum_buffer</c>)
/// b = μ·b + (1 - τ)·g             at t > 1           (τ: dampening)
/// g = g + μ·b   with Nesterov, else   g = b
/// θ = θ - lr·g
/// </code>
/// A step is one flat loop per parameter and allocates nothing.
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly float[][]? _buffer; // [p]: momentum buffer b, the shape of parameter p; null without momentum

    /// <summary>Creates the optimizer; the defaults are PyTorch's.</summary>
    /// <param name="parameters">The parameters to update.</param>
    /// <param name="learningRate">lr, finite and >= 0.</param>
    /// <param name="momentum">μ, finite and >= 0.</param>
    /// <param name="dampening">τ in [0, 1].</param>
    /// <param name="nesterov">Nesterov momentum; needs μ &gt; 0 and τ = 0.</param>
    /// <param name="weightDecay">λ, the L2 coefficient, finite and >= 0.</param>
    public Sgd(IEnumerable<Parameter> parameters, float learningRate, float momentum = 0f, float dampening = 0f,
        bool nesterov = false, float weightDecay = 0f)
        : base(parameters, learningRate)
    {
        Momentum = NonNegative(momentum, nameof(momentum));
        Dampening = Fraction(dampening, nameof(dampening), includeOne: true);
        WeightDecay = NonNegative(weightDecay, nameof(weightDecay));
        if (nesterov && (momentum <= 0f || dampening != 0f))
        {
            throw new ArgumentException(
                $"nesterov: needs momentum > 0 and dampening = 0, got momentum {momentum} and dampening {dampening}.", nameof(nesterov));
        }

        Nesterov = nesterov;
        _buffer = momentum != 0f ? AddState("momentum_buffer") : null;
    }

    /// <summary>μ: the momentum factor (0: plain SGD).</summary>
    public float Momentum { get; }

    /// <summary>τ: the dampening of the gradient added to the momentum buffer.</summary>
    public float Dampening { get; }

    /// <summary>Whether the step uses Nesterov momentum.</summary>
    public bool Nesterov { get; }

    /// <summary>λ: the L2 coefficient added to the gradient.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc />
    public override void Step()
    {
        StepCount++;
        float lr = LearningRate, mu = Momentum, keep = 1f - Dampening, wd = WeightDecay;
        bool first = StepCount == 1, nesterov = Nesterov;
        var parameters = Parameters;
        for (int p = 0; p < parameters.Count; p++)
        {
            var theta = parameters[p].Value.Span;
            var grad = parameters[p].Grad.Span;
            var b = _buffer is null ? default : _buffer[p].AsSpan(0, theta.Length);
            for (int i = 0; i < theta.Length; i++)
            {
                float g = grad[i] + wd * theta[i];
                if (_buffer is not null)
                {
                    b[i] = first ? g : mu * b[i] + keep * g;
                    g = nesterov ? g + mu * b[i] : b[i];
                }

                theta[i] -= lr * g;
            }
        }
    }

    /// <inheritdoc />
    public override JsonObject GetConfig() => new()
    {
        ["type"] = "sgd", ["lr"] = LearningRate, ["momentum"] = Momentum, ["dampening"] = Dampening,
        ["nesterov"] = Nesterov, ["weight_decay"] = WeightDecay,
    };
}
