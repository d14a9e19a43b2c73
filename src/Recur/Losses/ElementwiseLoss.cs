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
/// <typeparam name="TTerm">The per-element term as a struct operator, so the loop inlines it (as TensorPrimitives does).</typeparam>
public abstract class ElementwiseLoss<TTerm> : Loss
    where TTerm : struct, IElementwiseTerm
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
        ReadOnlySpan<float> xs = x.Span, ys = target.Span;
        int block = layout.Block, counted = 0;
        for (int b = 0; b < layout.Batch; b++)
        {
            counted += layout.ValidSteps(b) * block;
        }

        var gs = gradient is null ? default : gradient.Span;
        gs.Clear(); // padding keeps a zero gradient
        double total = 0, scale = counted == 0 ? 0 : 1.0 / counted;
        for (int b = 0; b < layout.Batch; b++)
        {
            int start = b * layout.Steps * block, end = start + layout.ValidSteps(b) * block;
            for (int i = start; i < end; i++)
            {
                if (!TTerm.IsValidTarget(ys[i]))
                {
                    throw new ArgumentException(
                        $"target: expected {TTerm.TargetDescription}, got {ys[i]} at flat index {i} of shape {target.ShapeText}.", nameof(target));
                }

                total += TTerm.Term(xs[i], ys[i], out double derivative);
                if (!gs.IsEmpty)
                {
                    gs[i] = (float)(derivative * scale);
                }
            }
        }

        LastCount = counted;
        return total * scale;
    }
}

/// <summary>The per-element term of an <see cref="ElementwiseLoss{TTerm}"/>.</summary>
public interface IElementwiseTerm
{
    /// <summary>What a valid target is, for messages, e.g. "finite values".</summary>
    static abstract string TargetDescription { get; }

    /// <summary>ℓ(x, y), and ℓ'(x, y) = ∂ℓ/∂x, in double.</summary>
    static abstract double Term(float x, float y, out double derivative);

    /// <summary>Whether <paramref name="y"/> is a valid target.</summary>
    static abstract bool IsValidTarget(float y);
}
