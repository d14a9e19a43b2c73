using Recur.Models;
using Recur.Tensors;

namespace Recur.Losses;

/// <summary>
/// A loss that is the mean of a per-element term ℓ(x, y) over the counted elements of a prediction x and a target y
/// of the same shape:
/// <code>
/// loss = (1/M) Σ_{counted} ℓ(x, y)        ∂loss/∂x = ℓ'(x, y) / M        M = number of counted scalars
/// </code>
/// For a (B, T, ...) prediction with lengths, the values of steps t ≥ length are padding: they do not count and get
/// a zero gradient. <see cref="Loss.LastCount"/> is M.
/// </summary>
public abstract class ElementwiseLoss : Loss
{
    /// <inheritdoc />
    public sealed override double Compute(LayerValue prediction, Tensor target, Tensor? gradient)
    {
        var x = prediction.Data;
        var layout = SequenceLayout.Of(prediction, x?.Rank >= 2 ? 2 : 1, nameof(prediction));
        SequenceLayout.CheckTargetShape(target, x!.Shape, x, "the shape");
        if (gradient is not null && !gradient.Shape.SequenceEqual(x.Shape))
        {
            throw new ArgumentException(
                $"gradient: expected shape {x.ShapeText} (the shape of prediction), got {gradient.ShapeText}.", nameof(gradient));
        }

        Check.Finite(x, nameof(prediction));
        var xs = x.Span;
        var ys = target.Span;
        int block = layout.Block, counted = 0;
        for (int b = 0; b < layout.Batch; b++)
        {
            int start = b * layout.Steps * block, end = start + layout.ValidSteps(b) * block;
            for (int i = start; i < end; i++)
            {
                CheckTarget(ys[i], i, target);
            }

            counted += end - start;
        }

        gradient?.Span.Clear(); // padding keeps a zero gradient
        double total = 0, scale = counted == 0 ? 0 : 1.0 / counted;
        for (int b = 0; b < layout.Batch; b++)
        {
            int start = b * layout.Steps * block, end = start + layout.ValidSteps(b) * block;
            for (int i = start; i < end; i++)
            {
                total += Term(xs[i], ys[i], out double derivative);
                if (gradient is not null)
                {
                    gradient.Span[i] = (float)(derivative * scale);
                }
            }
        }

        LastCount = counted;
        return total * scale;
    }

    /// <summary>ℓ(x, y), and ℓ'(x, y) = ∂ℓ/∂x, in double.</summary>
    protected abstract double Term(float x, float y, out double derivative);

    /// <summary>Throws if <paramref name="y"/> is not a valid target; the default requires a finite value.</summary>
    /// <param name="y">The target value.</param>
    /// <param name="index">Its flat index in <paramref name="target"/>, for the message.</param>
    /// <param name="target">The whole target tensor.</param>
    protected virtual void CheckTarget(float y, int index, Tensor target)
    {
        if (!float.IsFinite(y))
        {
            throw new ArgumentException($"target: expected finite values, got {y} at flat index {index} of shape {target?.ShapeText}.", nameof(target));
        }
    }
}
