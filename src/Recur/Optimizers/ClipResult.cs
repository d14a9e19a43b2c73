namespace Recur.Optimizers;

/// <summary>What a <see cref="GradientClipping"/> call did, for diagnostics.</summary>
/// <param name="NormBefore">The global L2 norm of all the gradients before clipping (NaN or ∞ if they were not finite).</param>
/// <param name="NormAfter">The global L2 norm after clipping (equal to <paramref name="NormBefore"/> when nothing changed).</param>
/// <param name="Clipped">Whether any gradient was changed.</param>
public readonly record struct ClipResult(float NormBefore, float NormAfter, bool Clipped);
