using System.Runtime.Intrinsics;

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

        /// <inheritdoc />
        public static bool IsVectorized => true;

        /// <inheritdoc />
        public static Vector256<float> Term(Vector256<float> x, Vector256<float> y, out Vector256<float> derivative)
        {
            var d = x - y;
            var one = Vector256<float>.One;
            derivative = Vector256.ConditionalSelect(Vector256.GreaterThan(d, Vector256<float>.Zero), one, Vector256<float>.Zero)
                - Vector256.ConditionalSelect(Vector256.LessThan(d, Vector256<float>.Zero), one, Vector256<float>.Zero);
            return Vector256.Abs(d);
        }

        /// <inheritdoc />
        public static Vector256<float> ValidTargets(Vector256<float> y) => Vector256.Equals(y - y, Vector256<float>.Zero);
    }
}
