using System.Runtime.Intrinsics;

namespace Recur.Losses;

/// <summary>
/// Mean squared error, as <c>torch.nn.MSELoss()</c> over the counted elements:
/// <code>
/// ℓ(x, y) = (x - y)²        ∂ℓ/∂x = 2 (x - y)
/// </code>
/// The target has the prediction's shape; see <see cref="ElementwiseLoss{TTerm}"/> for the mean and padding.
/// </summary>
public sealed class MeanSquaredError : ElementwiseLoss<MeanSquaredError.SquaredError>
{
    /// <inheritdoc />
    public override string Name => "mse";

    /// <summary>ℓ = (x - y)², ℓ' = 2(x - y).</summary>
    public readonly struct SquaredError : IElementwiseTerm
    {
        /// <inheritdoc />
        public static string TargetDescription => "finite values";

        /// <inheritdoc />
        public static double Term(float x, float y, out double derivative)
        {
            double d = (double)x - y;
            derivative = 2 * d;
            return d * d;
        }

        /// <inheritdoc />
        public static bool IsValidTarget(float y) => float.IsFinite(y);

        /// <inheritdoc />
        public static bool IsVectorized => true;

        /// <inheritdoc />
        public static Vector256<float> Term(Vector256<float> x, Vector256<float> y, out Vector256<float> derivative)
        {
            var d = x - y;
            derivative = d + d;
            return d * d;
        }

        /// <inheritdoc />
        public static Vector256<float> ValidTargets(Vector256<float> y) => Vector256.Equals(y - y, Vector256<float>.Zero);
    }
}
