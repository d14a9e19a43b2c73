namespace Recur.Losses;

/// <summary>
/// Mean absolute error, as <c>torch.nn.L1Loss()</c> over the counted elements:
/// <code>
/// ℓ(x, y) = |x - y|        ∂ℓ/∂x = sign(x - y), 0 where x = y (PyTorch's choice of subgradient)
/// </code>
/// The target has the prediction's shape; see <see cref="ElementwiseLoss{TTerm}"/> for the mean and padding.
/// </summary>
public sealed class MeanAbsoluteError : ElementwiseLoss<MeanAbsoluteError.AbsoluteError>
{
    /// <inheritdoc />
    public override string Name => "mae";

    /// <summary>ℓ = |x - y|, ℓ' = sign(x - y).</summary>
    public readonly struct AbsoluteError : IElementwiseTerm
    {
        /// <inheritdoc />
        public static string TargetDescription => "finite values";

        /// <inheritdoc />
        public static double Term(float x, float y, out double derivative)
        {
            double d = (double)x - y;
            derivative = Math.Sign(d);
            return Math.Abs(d);
        }

        /// <inheritdoc />
        public static bool IsValidTarget(float y) => float.IsFinite(y);
    }
}
