using System.Text.Json.Nodes;
using Recur.Models;
using Recur.Tensors;

namespace Recur.Losses;

/// <summary>
/// Softmax cross-entropy from logits with class-index targets, as
/// <c>torch.nn.CrossEntropyLoss(ignore_index=IgnoreIndex)</c> applied to the counted positions:
/// <code>
/// loss = (1/M) Σ_{counted (b, t)} [ log Σ_v exp(z[b, t, v]) - z[b, t, y[b, t]] ]
/// ∂loss/∂z[b, t, v] = (softmax(z[b, t])[v] - [v = y[b, t]]) / M                   0 where not counted
/// </code>
/// Shapes: prediction (B, V) with target (B), or (B, T, V) with target (B, T); targets are class indices stored as
/// floats. A position counts unless its target is <see cref="IgnoreIndex"/> or it is padding (t ≥ length).
/// <see cref="Loss.LastCount"/> is M, the number of counted positions. The math is <see cref="SoftmaxCrossEntropy"/>'s.
/// </summary>
public sealed class CrossEntropyLoss : Loss
{
    private readonly SoftmaxCrossEntropy _softmax;
    private int[] _targets = []; // (B·T): the targets as ints, padding replaced by the ignore index

    /// <summary>Creates the loss; targets equal to <paramref name="ignoreIndex"/> do not count (PyTorch's default is -100).</summary>
    public CrossEntropyLoss(int ignoreIndex = -100)
    {
        _softmax = new SoftmaxCrossEntropy(ignoreIndex);
    }

    /// <summary>The target value of positions that do not count.</summary>
    public int IgnoreIndex => _softmax.IgnoreIndex;

    /// <inheritdoc />
    public override string Name => "cross_entropy";

    /// <inheritdoc />
    public override double Compute(LayerValue prediction, Tensor target, Tensor? gradient)
    {
        var targets = ClassTargets(prediction, target, IgnoreIndex, ref _targets, out int counted);
        double loss = _softmax.Compute(prediction.Data, targets, gradient);
        LastCount = counted;
        return loss;
    }

    /// <inheritdoc />
    public override JsonObject GetConfig() => new() { ["ignore_index"] = IgnoreIndex };

    /// <summary>
    /// Validates a (B, V) or (B, T, V) prediction and its (B) or (B, T) class targets, and returns the targets as ints
    /// with padding positions set to <paramref name="ignoreIndex"/>; <paramref name="counted"/> is the number of
    /// positions that count. Shared with the classification metrics.
    /// </summary>
    internal static ReadOnlySpan<int> ClassTargets(LayerValue prediction, Tensor target, int ignoreIndex, ref int[] buffer, out int counted)
    {
        var z = prediction.Data;
        ArgumentNullException.ThrowIfNull(z, nameof(prediction));
        if (z.Rank is not (2 or 3))
        {
            throw new ArgumentException(
                $"prediction: expected logits (B, V) or (B, T, V), got shape {z.ShapeText}.", nameof(prediction));
        }

        var layout = SequenceLayout.Of(prediction, z.Rank - 1, nameof(prediction));
        SequenceLayout.CheckTargetShape(target, z.Shape[..^1], z, "the leading axes");
        int classes = z.Dim(-1), positions = layout.Batch * layout.Steps;
        if (buffer.Length < positions)
        {
            buffer = new int[positions];
        }

        var ys = target.Span;
        counted = 0;
        for (int b = 0; b < layout.Batch; b++)
        {
            for (int t = 0; t < layout.Steps; t++)
            {
                int n = b * layout.Steps + t;
                if (t >= layout.ValidSteps(b))
                {
                    buffer[n] = ignoreIndex;
                    continue;
                }

                float y = ys[n];
                int c = (int)y;
                if (c != y || (c != ignoreIndex && (uint)c >= (uint)classes))
                {
                    string at = z.Rank == 2 ? $"({b})" : $"({b}, {t})";
                    throw new ArgumentException(
                        $"target: expected class indices in [0, {classes}) or the ignore index {ignoreIndex}, got {y} at {at}.", nameof(target));
                }

                buffer[n] = c;
                counted += c == ignoreIndex ? 0 : 1;
            }
        }

        return buffer.AsSpan(0, positions);
    }
}
