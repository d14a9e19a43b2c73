using Recur.Tensors;

namespace Recur.Data;

/// <summary>
/// One batch: inputs and targets of B samples. Its tensors are the batcher's reused buffers: valid until the next
/// batch is requested (Clone them to keep them).
/// </summary>
public class Batch
{
    private int[] _indices = [];
    private int[] _lengths = [];

    internal Batch()
    {
    }

    /// <summary>(B, …) the inputs of the batch's samples; for token sequences (B, T) ids as floats.</summary>
    public Tensor Inputs { get; private set; } = null!;

    /// <summary>(B, …) the targets of the batch's samples.</summary>
    public Tensor Targets { get; private set; } = null!;

    /// <summary>(B) the samples' indices in the batcher's data, in batch order.</summary>
    public ReadOnlySpan<int> Indices => _indices;

    /// <summary>B, the number of samples in this batch.</summary>
    public int Size => _indices.Length;

    /// <summary>(B) real (not padding) steps per input row of padded sequences; empty when no sample is padded.</summary>
    public ReadOnlySpan<int> Lengths => _lengths.Length == 0 ? [] : _lengths.AsSpan(0, Size);

    internal void Set(int[] indices, Tensor inputs, Tensor targets, int[] lengths)
    {
        _indices = indices;
        Inputs = inputs;
        Targets = targets;
        _lengths = lengths;
    }
}

/// <summary>Something that cuts a data set into batches, epoch by epoch: what a training loop consumes.</summary>
public interface IBatcher
{
    /// <summary>N, the number of samples.</summary>
    int SampleCount { get; }

    /// <summary>Number of batches in every epoch.</summary>
    int BatchesPerEpoch { get; }

    /// <summary>The batches of epoch <paramref name="epoch"/> (0-based); the same seed and epoch give the same batches.</summary>
    IEnumerable<Batch> Epoch(int epoch);
}

/// <summary>
/// Cuts equally shaped samples, inputs (N, …) and targets (N, …), into batches: a new seeded order each epoch
/// (same seed and epoch → same order), optionally dropping a short last batch. Batch tensors are reused, so an
/// epoch allocates little beyond its sample order. For variable-length token sequences use <see cref="SequenceBatcher"/>.
/// </summary>
public sealed class Batcher : IBatcher
{
    private readonly Tensor _inputs;
    private readonly Tensor _targets;
    private readonly BatcherOptions _options;
    private readonly Tensor _inputBuffer;
    private readonly Tensor _targetBuffer;

    /// <summary>Batches rows of <paramref name="inputs"/> (N, …) with the same rows of <paramref name="targets"/> (N, …).</summary>
    public Batcher(Tensor inputs, Tensor targets, BatcherOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (inputs.Rank == 0 || targets.Rank == 0 || inputs.Dim(0) != targets.Dim(0))
        {
            throw new ArgumentException(
                $"Expected inputs (N, …) and targets (N, …) with the same N, got {inputs.ShapeText} and {targets.ShapeText}.", nameof(targets));
        }

        _options = options ?? new BatcherOptions();
        BatchPlan.Validate(_options, inputs.Dim(0));
        _inputs = inputs;
        _targets = targets;
        int capacity = Math.Min(_options.BatchSize, SampleCount);
        _inputBuffer = new Tensor(WithRows(inputs, capacity));
        _targetBuffer = new Tensor(WithRows(targets, capacity));
    }

    /// <inheritdoc />
    public int SampleCount => _inputs.Dim(0);

    /// <summary>The options the batcher was made with.</summary>
    public BatcherOptions Options => _options;

    /// <inheritdoc />
    public int BatchesPerEpoch => BatchPlan.Count(SampleCount, _options);

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/> (0-based), lazily. Each yielded <see cref="Batch"/> is the same
    /// object, refilled: use it before asking for the next.
    /// </summary>
    public IEnumerable<Batch> Epoch(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        return Iterate(BatchPlan.Make(SampleCount, _options, epoch));
    }

    private IEnumerable<Batch> Iterate(int[][] plan)
    {
        var batch = new Batch();
        int fullSize = _inputBuffer.Dim(0);
        foreach (int[] indices in plan)
        {
            bool full = indices.Length == fullSize;
            var inputs = full ? _inputBuffer : _inputBuffer.Slice(0, indices.Length);
            var targets = full ? _targetBuffer : _targetBuffer.Slice(0, indices.Length);
            Gather(_inputs, indices, inputs);
            Gather(_targets, indices, targets);
            batch.Set(indices, inputs, targets, lengths: []);
            yield return batch;
        }
    }

    /// <summary>Copies rows <paramref name="indices"/> of <paramref name="source"/> (N, …) into <paramref name="destination"/> (B, …).</summary>
    private static void Gather(Tensor source, int[] indices, Tensor destination)
    {
        int row = source.Length / source.Dim(0);
        var src = source.Span;
        var dst = destination.Span;
        for (int i = 0; i < indices.Length; i++)
        {
            src.Slice(indices[i] * row, row).CopyTo(dst.Slice(i * row, row));
        }
    }

    private static int[] WithRows(Tensor t, int rows)
    {
        var shape = t.Shape.ToArray();
        shape[0] = rows;
        return shape;
    }
}
