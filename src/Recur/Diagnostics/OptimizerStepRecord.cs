namespace Recur.Diagnostics;

/// <summary>
/// One optimizer step of <see cref="Models.Model.Fit"/>: the global gradient norm (all parameters together) before
/// and after clipping, and whether clipping fired. Without clipping, before = after = the global norm.
/// </summary>
/// <param name="Step">0-based index in <see cref="GradientFlowRecorder.OptimizerSteps"/>.</param>
/// <param name="NormBefore">The global norm of the gradients the backward pass produced.</param>
/// <param name="NormAfter">The global norm the optimizer used.</param>
/// <param name="Clipped">Whether clipping by value or by norm changed any gradient.</param>
public readonly record struct OptimizerStepRecord(int Step, float NormBefore, float NormAfter, bool Clipped);
