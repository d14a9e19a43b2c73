using Recur.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Recur.Losses;

/// <summary>
/// Mean softmax cross-entropy over rows of logits with integer class targets, as
/// <c>torch.nn.functional.cross_entropy(logits, targets, ignore_index=IgnoreIndex)</c>:
/// <code>
/// loss = (1/M) Σ_{n counted} [ log Σ_v exp(z[n, v]) - z[n, target[n]] ]       M = number of counted rows
/// ∂loss/∂z[n, v] = (softmax(z[n])[v] - [v = target[n]]) / M                    0 for ignored rows
/// </code>
/// </summary>
/// <remarks>
/// Shapes (V classes, N = the product of the leading axes): logits (..., V), e.g. (T, B, V) or (N, V); targets N
/// values, row-major like the logits' leading axes. Rows whose target is <see cref="IgnoreIndex"/> do not count.
/// The log-sum-exp subtracts each row's maximum, so large logits do not overflow.
/// </remarks>
public sealed class SoftmaxCrossEntropy
{
    private float[] _scratch = []; // (V): exp(z - max) when no gradient is wanted

    /// <summary>Creates the loss; targets equal to <paramref name="ignoreIndex"/> are skipped (PyTorch's default is -100).</summary>
    public SoftmaxCrossEntropy(int ignoreIndex = -100)
    {
        IgnoreIndex = ignoreIndex;
    }

    /// <summary>The target value of rows that do not count.</summary>
    public int IgnoreIndex { get; }

    /// <summary>
    /// The mean loss over the counted rows, and, when <paramref name="logitsGradient"/> is given, ∂loss/∂logits written
    /// into it (overwritten, not added: the loss is the start of the backward pass).
    /// </summary>
    /// <param name="logits">z, (..., V) with V at least 1; finite values.</param>
    /// <param name="targets">N class indices in [0, V), or <see cref="IgnoreIndex"/>.</param>
    /// <param name="logitsGradient">∂loss/∂z, the shape of <paramref name="logits"/>; null for the loss alone.</param>
    /// <returns>The mean loss in nats; 0 when every row is ignored (where PyTorch returns NaN).</returns>
    /// <exception cref="ArgumentException">A shape does not match, a logit is not finite, or a target is out of range.</exception>
    public float Compute(Tensor logits, ReadOnlySpan<int> targets, Tensor? logitsGradient = null)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.Rank < 1 || logits.Dim(-1) < 1)
        {
            throw new ArgumentException($"logits: expected shape (..., V) with V >= 1, got {logits.ShapeText}.", nameof(logits));
        }

        int classes = logits.Dim(-1), rows = logits.Length / classes;
        if (targets.Length != rows)
        {
            throw new ArgumentException(
                $"targets: expected {rows} values (one per row of logits {logits.ShapeText}), got {targets.Length}.", nameof(targets));
        }

        if (logitsGradient is not null && !logitsGradient.Shape.SequenceEqual(logits.Shape))
        {
            throw new ArgumentException(
                $"logitsGradient: expected shape {logits.ShapeText} (the shape of logits), got {logitsGradient.ShapeText}.", nameof(logitsGradient));
        }

        Check.Finite(logits, nameof(logits));
        int counted = 0;
        for (int n = 0; n < rows; n++)
        {
            int t = targets[n];
            if (t == IgnoreIndex)
            {
                continue;
            }

            if ((uint)t >= (uint)classes)
            {
                throw new ArgumentException(
                    $"targets: expected class indices in [0, {classes}) or the ignore index {IgnoreIndex}, got {t} at index {n}.", nameof(targets));
            }

            counted++;
        }

        if (logitsGradient is null && _scratch.Length < classes)
        {
            _scratch = new float[classes];
        }

        var z = logits.Span;
        double total = 0;
        float scale = counted == 0 ? 0f : 1f / counted;
        for (int n = 0; n < rows; n++)
        {
            var row = z.Slice(n * classes, classes);
            var e = logitsGradient is null ? _scratch.AsSpan(0, classes) : logitsGradient.Span.Slice(n * classes, classes);
            int t = targets[n];
            if (t == IgnoreIndex)
            {
                e.Clear();
                continue;
            }

            // log Σ exp(z) = max + log Σ exp(z - max): every exponent is <= 0, so nothing overflows.
            float max = TensorPrimitives.Max(row);
            TensorPrimitives.Subtract(row, max, e);
            TensorPrimitives.Exp(e, e);
            float sum = TensorPrimitives.Sum<float>(e);
            total += Math.Log(sum) - (row[t] - max);

            // softmax - onehot, divided by the number of counted rows for the mean
            TensorPrimitives.Multiply(e, scale / sum, e);
            e[t] -= scale;
        }

        return (float)(total * scale);
    }
}
