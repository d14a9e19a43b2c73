using Recur.Modules;

namespace Recur.Optimizers;

/// <summary>
/// AdamW, exactly as <c>torch.optim.AdamW</c> (without amsgrad): <see cref="Adam"/> with the weight decay decoupled
/// from the gradient (Loshchilov and Hutter). At step t, for every parameter θ with gradient g,
/// <code>
/// θ  = θ - lr·λ·θ                         (before the Adam step; g is not changed)
/// m  = β1·m + (1 - β1)·g                  v = β2·v + (1 - β2)·g²
/// θ  = θ - (lr / (1 - β1ᵗ)) · m / (√v / √(1 - β2ᵗ) + ε)
/// </code>
/// </summary>
/// <param name="parameters">The parameters to update.</param>
/// <param name="learningRate">lr, finite and >= 0.</param>
/// <param name="beta1">β1 in [0, 1).</param>
/// <param name="beta2">β2 in [0, 1).</param>
/// <param name="epsilon">ε, finite and >= 0, added after the square root.</param>
/// <param name="weightDecay">λ, finite and >= 0; θ shrinks by lr·λ·θ per step (PyTorch's default 0.01).</param>
public sealed class AdamW(IEnumerable<Parameter> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f,
    float epsilon = 1e-8f, float weightDecay = 0.01f)
    : Adam(parameters, learningRate, beta1, beta2, epsilon, weightDecay, decoupledWeightDecay: true);
