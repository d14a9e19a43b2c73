using Recur.Models;
using Recur.Tensors;

namespace Recur.Training;

/// <summary>
/// One model input (or target) for all N samples of a <see cref="Dataset"/>: either a fixed-shape tensor (N, ...),
/// or N variable-length sequences that each batch pads to its longest and marks with lengths.
/// </summary>
public sealed class DataField
{
    private readonly Tensor? _fixed;            // (N, ...)
    private readonly float[][]? _sequences;     // N sequences of (T_i · F) values
    private readonly int _features;             // F per step; 0: one scalar per step, a (B, T) batch
    private readonly float _padValue;
    private float[] _batch = [];
    private int[] _lengths = [];
    private Tensor? _view;

    private DataField(Tensor? fixedShape, float[][]? sequences, int features, float padValue)
    {
        _fixed = fixedShape;
        _sequences = sequences;
        _features = features;
        _padValue = padValue;
        Count = fixedShape?.Dim(0) ?? sequences!.Length;
        if (sequences is not null)
        {
            Lengths = new int[sequences.Length];
            int width = Math.Max(1, features);
            for (int i = 0; i < sequences.Length; i++)
            {
                if (sequences[i] is null || sequences[i].Length == 0 || sequences[i].Length % width != 0)
                {
                    throw new ArgumentException(
                        $"sequences[{i}]: expected a non-empty sequence of steps with {width} value(s) each, got {sequences[i]?.Length ?? 0} values.");
                }

                Lengths[i] = sequences[i].Length / width;
            }
        }
    }

    /// <summary>N, the number of samples.</summary>
    public int Count { get; }

    /// <summary>(N) sequence lengths, or null for a fixed-shape field.</summary>
    public int[]? Lengths { get; }

    /// <summary>Per-sample shape, -1 for the varying time axis: (-1) for scalar steps, (-1, F) for F features.</summary>
    public int[] SampleShape => _fixed is not null ? _fixed.Shape[1..].ToArray() : _features == 0 ? [-1] : [-1, _features];

    /// <summary>Samples are the rows of <paramref name="samples"/> (N, ...).</summary>
    public static DataField FromTensor(Tensor samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Rank < 1 || samples.Dim(0) < 1)
        {
            throw new ArgumentException($"samples: expected shape (N, ...) with N >= 1, got {samples.ShapeText}.", nameof(samples));
        }

        Check.Finite(samples, nameof(samples));
        return new DataField(samples, null, 0, 0f);
    }

    /// <summary>
    /// Token sequences of varying length (ids, stored as floats), batched as (B, T) and padded with
    /// <paramref name="padValue"/> — 0 (the padding id) for inputs, -100 (an ignored target) for targets.
    /// </summary>
    public static DataField FromTokens(IReadOnlyList<int[]> sequences, float padValue = 0f)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        return new DataField(null, sequences.Select(s => s?.Select(v => (float)v).ToArray()!).ToArray(), 0, padValue);
    }

    /// <summary>
    /// Numeric sequences of varying length with <paramref name="features"/> values per step (row-major (T_i, F)),
    /// batched as (B, T, F) and zero-padded.
    /// </summary>
    public static DataField FromSequences(IReadOnlyList<float[]> sequences, int features, float padValue = 0f)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        return new DataField(null, sequences.ToArray(), features, padValue);
    }

    /// <summary>The samples at <paramref name="indices"/> as one batch; a view of buffers reused by the next call.</summary>
    internal LayerValue Gather(ReadOnlySpan<int> indices)
    {
        int b = indices.Length;
        if (_fixed is not null)
        {
            int row = _fixed.Length / _fixed.Dim(0);
            Grow(ref _batch, b * row);
            for (int i = 0; i < b; i++)
            {
                _fixed.Span.Slice(indices[i] * row, row).CopyTo(_batch.AsSpan(i * row, row));
            }

            var shape = _fixed.Shape.ToArray();
            shape[0] = b;
            return new LayerValue(View(shape));
        }

        int width = Math.Max(1, _features), steps = 0;
        for (int i = 0; i < b; i++)
        {
            steps = Math.Max(steps, Lengths![indices[i]]);
        }

        Grow(ref _batch, b * steps * width);
        if (_lengths.Length != b)
        {
            _lengths = new int[b];
        }

        for (int i = 0; i < b; i++)
        {
            var seq = _sequences![indices[i]];
            var row = _batch.AsSpan(i * steps * width, steps * width);
            seq.CopyTo(row);
            row[seq.Length..].Fill(_padValue);
            _lengths[i] = Lengths![indices[i]];
        }

        return new LayerValue(View(_features == 0 ? [b, steps] : [b, steps, width]), _lengths);
    }

    private Tensor View(int[] shape)
    {
        if (_view is null || !ReferenceEquals(_view.Buffer, _batch) || !_view.Shape.SequenceEqual(shape))
        {
            _view = Tensor.View(_batch, 0, shape);
        }

        return _view;
    }

    private static void Grow(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new float[length];
        }
    }
}
