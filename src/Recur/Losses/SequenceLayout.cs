using Recur.Models;
using Recur.Tensors;

namespace Recur.Losses;

/// <summary>
/// How a batch-first prediction splits into positions for losses and metrics: (B, T, ...) is B·T positions of
/// <see cref="Block"/> values each, and step t of sequence b counts only when t &lt; lengths[b]. A (B) or (B, F)
/// prediction without lengths is B positions (T = 1).
/// </summary>
internal readonly struct SequenceLayout
{
    private readonly int[]? _lengths;

    private SequenceLayout(int batch, int steps, int block, int[]? lengths)
    {
        (Batch, Steps, Block, _lengths) = (batch, steps, block, lengths);
    }

    /// <summary>B.</summary>
    public int Batch { get; }

    /// <summary>T: axis 1 when there are per-sequence lengths or <c>hasStepAxis</c>, else 1.</summary>
    public int Steps { get; }

    /// <summary>Values per (b, t) position: the product of the axes after T.</summary>
    public int Block { get; }

    /// <summary>How many leading steps of sequence <paramref name="b"/> count.</summary>
    public int ValidSteps(int b) => _lengths is null ? Steps : _lengths[b];

    /// <summary>
    /// The layout of <paramref name="prediction"/>, whose positions are its first <paramref name="positionAxes"/> axes
    /// (1: (B, ...); 2: (B, T, ...)); lengths need a T axis and must be B values in [0, T].
    /// </summary>
    public static SequenceLayout Of(LayerValue prediction, int positionAxes, string name)
    {
        var data = prediction.Data;
        ArgumentNullException.ThrowIfNull(data, name);
        var lengths = prediction.Lengths;
        if (data.Rank < Math.Max(positionAxes, 1) || data.Dim(0) < 1)
        {
            throw new ArgumentException(
                $"{name}: expected a batch-first tensor of rank >= {Math.Max(positionAxes, 1)} with B >= 1, got shape {data.ShapeText}.", name);
        }

        if (lengths is not null && positionAxes < 2)
        {
            throw new ArgumentException(
                $"{name}: per-sequence lengths need a (B, T, ...) prediction, got shape {data.ShapeText}.", name);
        }

        int batch = data.Dim(0), steps = positionAxes >= 2 ? data.Dim(1) : 1;
        if (lengths is not null)
        {
            if (lengths.Length != batch)
            {
                throw new ArgumentException(
                    $"{name}: expected {batch} lengths (one per sequence of shape {data.ShapeText}), got {lengths.Length}.", name);
            }

            for (int b = 0; b < batch; b++)
            {
                if ((uint)lengths[b] > (uint)steps)
                {
                    throw new ArgumentException($"{name}: expected lengths in [0, {steps}], got {lengths[b]} at index {b}.", name);
                }
            }
        }

        return new SequenceLayout(batch, steps, steps == 0 ? 0 : data.Length / (batch * steps), lengths);
    }

    /// <summary>Throws unless <paramref name="target"/> has exactly <paramref name="expected"/> as its shape.</summary>
    public static void CheckTargetShape(Tensor target, ReadOnlySpan<int> expected, Tensor prediction, string meaning)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!target.Shape.SequenceEqual(expected))
        {
            throw new ArgumentException(
                $"target: expected shape {Tensor.FormatShape(expected)} ({meaning} of prediction {prediction.ShapeText}), got {target.ShapeText}.",
                nameof(target));
        }
    }
}
