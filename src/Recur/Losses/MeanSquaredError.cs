namespace Recur.Losses;

/// <summary>
/// Mean squared error, as <c>torch.nn.MSELoss()</c> over the counted elements:
/// <code>
/// ℓ(x, y) = (x - y)²        ∂ℓ/∂x = 2 (x - y)
/// </code>
/// The target has the prediction's shape; see <see cref="ElementwiseLoss"/> for the mean and padding.
/// </summary>
public sealed class MeanSquaredError : ElementwiseLoss
{
    /// <inheritdoc />
    public override string Name => "mse";

    /// <inheritdoc />
    protected override double Term(float x, float y, out double derivative)
    {
        double d = (double)x - y;
        derivative = 2 * d;
        return d * d;
    }
}
