namespace Recur.Losses;

/// <summary>
/// Binary cross-entropy on logits z with targets y in [0, 1], as <c>torch.nn.BCEWithLogitsLoss()</c>:
/// <code>
/// ℓ(z, y) = -[y log σ(z) + (1 - y) log(1 - σ(z))] = max(z, 0) - z·y + log(1 + e^{-|z|})
/// ∂ℓ/∂z  = σ(z) - y
/// </code>
/// The second form never exponentiates a positive number, so large |z| neither overflows nor loses the loss to
/// log(0). The target has the prediction's shape (soft labels allowed); see <see cref="ElementwiseLoss{TTerm}"/> for the
/// mean and padding.
/// </summary>
public sealed class BinaryCrossEntropyWithLogits : ElementwiseLoss<BinaryCrossEntropyWithLogits.LogitCrossEntropy>
{
    /// <inheritdoc />
    public override string Name => "binary_cross_entropy";

    /// <summary>ℓ = max(z, 0) - z·y + log(1 + e^{-|z|}), ℓ' = σ(z) - y.</summary>
    public readonly struct LogitCrossEntropy : IElementwiseTerm
    {
        /// <inheritdoc />
        public static string TargetDescription => "probabilities in [0, 1]";

        /// <inheritdoc />
        public static double Term(float x, float y, out double derivative)
        {
            double z = x, e = Math.Exp(-Math.Abs(z));
            derivative = (z >= 0 ? 1 / (1 + e) : e / (1 + e)) - y; // σ(z) from e^{-|z|}, stable for either sign
            return Math.Max(z, 0) - z * y + Math.Log(1 + e);
        }

        /// <inheritdoc />
        public static bool IsValidTarget(float y) => y >= 0f && y <= 1f;
    }
}
