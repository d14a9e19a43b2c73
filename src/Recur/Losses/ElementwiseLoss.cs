using System.Runtime.Intrinsics;
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

        ReadOnlySpan<float> xs = x.Span, ys = target.Span;
        int block = layout.Block, counted = 0;
        for (int b = 0; b < layout.Batch; b++)
        {
            counted += layout.ValidSteps(b) * block;
        }

        // One pass over the valid values checks prediction and target, sums the terms and writes the gradient;
        // only the padding is cleared beforehand (the loss is memory-bound on long sequences).
        var gs = gradient is null ? default : gradient.Span;
        double total = 0, scale = counted == 0 ? 0 : 1.0 / counted;
        for (int b = 0; b < layout.Batch; b++)
        {
            int start = b * layout.Steps * block, length = layout.ValidSteps(b) * block;
            if (gs.IsEmpty)
            {
                total += Sum(xs.Slice(start, length), ys.Slice(start, length), default, 0, start, target);
            }
            else
            {
                gs.Slice(start + length, layout.Steps * block - length).Clear(); // padding keeps a zero gradient
                total += Sum(xs.Slice(start, length), ys.Slice(start, length), gs.Slice(start, length), scale, start, target);
            }
        }

        LastCount = counted;
        return total * scale;
    }

    // Σ ℓ over one valid range; writes ℓ'·scale into gradient unless it is empty. Spans of one length let the JIT
    // drop the bounds checks.
    private static double Sum(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> gradient, double scale, int offset, Tensor target)
    {
        double total = 0;
        y = y[..x.Length];
        bool withGradient = !gradient.IsEmpty;
        if (withGradient)
        {
            gradient = gradient[..x.Length];
        }

        int i = 0;
        if (TTerm.IsVectorized && Vector256.IsHardwareAccelerated)
        {
            // Eight terms at a time in float (each term is exact to float rounding), summed in double per vector.
            var vScale = Vector256.Create((float)scale);
            for (; i <= x.Length - 8; i += 8)
            {
                var xv = Vector256.Create(x.Slice(i, 8));
                var yv = Vector256.Create(y.Slice(i, 8));
                var valid = TTerm.ValidTargets(yv) & Vector256.Equals(xv - xv, Vector256<float>.Zero); // x - x is NaN for NaN and ±inf
                if (!Vector256.EqualsAll(valid, Vector256<float>.AllBitsSet))
                {
                    break; // the scalar loop below names the bad value
                }

                var term = TTerm.Term(xv, yv, out var derivative);
                total += Vector256.Sum(Vector256.WidenLower(term) + Vector256.WidenUpper(term));
                if (withGradient)
                {
                    (derivative * vScale).CopyTo(gradient.Slice(i, 8));
                }
            }
        }

        for (; i < x.Length; i++)
        {
            if (!float.IsFinite(x[i]))
            {
                throw new ArgumentException(
                    $"prediction: expected finite values, got {x[i]} at flat index {offset + i} of shape {target.ShapeText}.", "prediction");
            }

            if (!TTerm.IsValidTarget(y[i]))
            {
                throw new ArgumentException(
                    $"target: expected {TTerm.TargetDescription}, got {y[i]} at flat index {offset + i} of shape {target.ShapeText}.", nameof(target));
            }

            total += TTerm.Term(x[i], y[i], out double derivative);
            if (withGradient)
            {
                gradient[i] = (float)(derivative * scale);
            }
        }

        return total;
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

    /// <summary>Whether the term has an eight-lane float form (<see cref="Term(Vector256{float}, Vector256{float}, out Vector256{float})"/>).</summary>
    static virtual bool IsVectorized => false;

    /// <summary>ℓ and ℓ' for eight elements in float; only called when <see cref="IsVectorized"/>.</summary>
    static virtual Vector256<float> Term(Vector256<float> x, Vector256<float> y, out Vector256<float> derivative) =>
        throw new NotSupportedException();

    /// <summary>All bits set in the lanes whose target is valid; only called when <see cref="IsVectorized"/>.</summary>
    static virtual Vector256<float> ValidTargets(Vector256<float> y) => throw new NotSupportedException();
}
