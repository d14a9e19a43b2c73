using Recur.Tensors;

namespace Recur.Optimizers;

/// <summary>
/// Everything an optimizer carries from one step to the next, for checkpoints: the step count and its buffers as
/// named float tensors, <c>"{parameter name}.{buffer}"</c> with PyTorch's buffer names (<c>exp_avg</c>,
/// <c>exp_avg_sq</c>, <c>momentum_buffer</c>, <c>square_avg</c>, <c>grad_avg</c>), each of its parameter's shape.
/// </summary>
/// <param name="StepCount">Steps taken so far (bias corrections and first-step rules depend on it).</param>
/// <param name="Tensors">The buffers by name.</param>
public sealed record OptimizerState(long StepCount, IReadOnlyDictionary<string, Tensor> Tensors);
