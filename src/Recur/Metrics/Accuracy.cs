using Recur.Losses;
using Recur.Models;
using Recur.Tensors;

namespace Recur.Metrics;

/// <summary>
/// The fraction of counted positions predicted right, over every batch since the last reset.
/// </summary>
/// <remarks>
/// <para>Multi-class: logits (B, V) with targets (B), or (B, T, V) with targets (B, T), V ≥ 2; the prediction is
/// the argmax over V (the first on ties, as <c>torch.argmax</c>). Targets equal to the ignore index and padding
/// steps (t ≥ length) do not count.</para>
/// <para>Binary: a single logit per position, (B) or (B, 1) (or (B, T, 1)), with 0/1 targets of the same shape or
/// without the last axis of 1; the prediction is <c>logit &gt; 0</c>, i.e. σ(logit) &gt; 0.5.</para>
/// </remarks>
/// <param name="ignoreIndex">Multi-class targets with this value do not count.</param>
public sealed class Accuracy(int ignoreIndex = -100) : Metric
{
    private int[] _targets = [];
    private long _correct, _count;

    /// <summary>The multi-class target value of positions that do not count.</summary>
    public int IgnoreIndex { get; } = ignoreIndex;

    /// <inheritdoc />
    public override string Name => "accuracy";

    /// <inheritdoc />
    public override double Result => _count == 0 ? double.NaN : (double)_correct / _count;

    /// <inheritdoc />
    public override void Reset() => (_correct, _count) = (0, 0);

    /// <inheritdoc />
    public override void Update(LayerValue prediction, Tensor target)
    {
        var z = prediction.Data;
        ArgumentNullException.ThrowIfNull(z, nameof(prediction));
        ArgumentNullException.ThrowIfNull(target);
        if (z.Shape.SequenceEqual(target.Shape))
        {
            UpdateBinary(prediction, target);
        }
        else if (z.Rank >= 2 && z.Dim(-1) == 1 && target.Shape.SequenceEqual(z.Shape[..^1]))
        {
            UpdateBinary(prediction, target.Reshape([.. z.Shape]));
        }
        else
        {
            UpdateMultiClass(prediction, target);
        }
    }

    private void UpdateMultiClass(LayerValue prediction, Tensor target)
    {
        var targets = CrossEntropyLoss.ClassTargets(prediction, target, IgnoreIndex, ref _targets, out int counted);
        var z = prediction.Data.Span;
        int classes = prediction.Data.Dim(-1);
        for (int n = 0; n < targets.Length; n++)
        {
            if (targets[n] != IgnoreIndex)
            {
                var row = z.Slice(n * classes, classes);
                _correct += System.Numerics.Tensors.TensorPrimitives.IndexOfMax(row) == targets[n] ? 1 : 0;
            }
        }

        _count += counted;
    }

    private void UpdateBinary(LayerValue prediction, Tensor target)
    {
        var z = prediction.Data;
        var layout = SequenceLayout.Of(prediction, z.Rank >= 2 ? 2 : 1, nameof(prediction));
        if (layout.Block != 1)
        {
            throw new ArgumentException(
                $"prediction: expected one logit per position, (B), (B, 1) or (B, T, 1), for targets of the same shape, got {z.ShapeText}.",
                nameof(prediction));
        }

        var x = z.Span;
        var y = target.Span;
        for (int b = 0; b < layout.Batch; b++)
        {
            for (int n = b * layout.Steps; n < b * layout.Steps + layout.ValidSteps(b); n++)
            {
                if (y[n] is not (0f or 1f))
                {
                    throw new ArgumentException(
                        $"target: expected binary targets 0 or 1, got {y[n]} at flat index {n} of shape {target.ShapeText}.", nameof(target));
                }

                _correct += (x[n] > 0f) == (y[n] == 1f) ? 1 : 0;
                _count++;
            }
        }
    }
}
