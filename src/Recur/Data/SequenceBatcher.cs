using Recur.Tensors;

namespace Recur.Data;

/// <summary>
/// One batch from a <see cref="SequenceBatcher"/>: B sequences padded to this batch's T, with their ids as ints
/// besides the float <see cref="Batch.Inputs"/>. Its spans and tensors are the batcher's reused buffers: valid until
/// the next batch is requested.
/// </summary>
public sealed class SequenceBatch : Batch
{
    private int[] _ids = [];
    private int[] _targetIds = [];
    private int[] _targetLengths = [];

    internal SequenceBatch()
    {
    }

    /// <summary>T, this batch's padded length: its longest sequence, capped by the padding MaxLength.</summary>
    public int Length { get; private set; }

    /// <summary>(B, T) input ids, row-major (the same values as <see cref="Batch.Inputs"/>).</summary>
    public ReadOnlySpan<int> Ids => _ids.AsSpan(0, Size * Length);

    /// <summary>With target sequences, Tt, the padded target length; 0 otherwise.</summary>
    public int TargetLength { get; private set; }

    /// <summary>With target sequences, (B, Tt) target ids, row-major (the same values as <see cref="Batch.Targets"/>); empty otherwise.</summary>
    public ReadOnlySpan<int> TargetIds => _targetIds.AsSpan(0, Size * TargetLength);

    /// <summary>With target sequences, (B) real tokens per target row; empty otherwise.</summary>
    public ReadOnlySpan<int> TargetLengths => _targetLengths.Length == 0 ? [] : _targetLengths.AsSpan(0, Size);

    internal void SetIds(int[] ids, int length, int[] targetIds, int[] targetLengths, int targetLength)
    {
        _ids = ids;
        Length = length;
        _targetIds = targetIds;
        _targetLengths = targetLengths;
        TargetLength = targetLength;
    }
}

/// <summary>
/// Batches variable-length id sequences (sentences, names, words as characters): each batch is padded only to its
/// own longest sequence, a new seeded order is drawn each epoch, and <see cref="SequenceBatcherOptions.Bucketing"/>
/// groups similar lengths to cut padding further. Targets are either rows of a tensor (N, …), e.g. class labels, or
/// id sequences padded like the inputs, e.g. the next tokens or a translation.
/// </summary>
public sealed class SequenceBatcher : IBatcher
{
    private readonly IReadOnlyList<int[]> _sequences;
    private readonly Tensor? _targetRows;
    private readonly IReadOnlyList<int[]>? _targetSequences;
    private readonly SequenceBatcherOptions _options;
    private readonly int[] _lengths;

    // Reused buffers sized for a full batch of the longest sequences.
    private readonly int[] _ids;
    private readonly int[] _rowLengths;
    private readonly float[] _floats;
    private readonly int[] _targetIds = [];
    private readonly int[] _targetRowLengths = [];
    private readonly float[] _targetFloats = [];
    private readonly Tensor? _targetBuffer;

    /// <summary>Batches <paramref name="sequences"/> (N) with rows of <paramref name="targets"/> (N, …).</summary>
    public SequenceBatcher(IReadOnlyList<int[]> sequences, Tensor targets, SequenceBatcherOptions? options = null)
        : this(sequences, options)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Rank == 0 || targets.Dim(0) != sequences.Count)
        {
            throw new ArgumentException($"Expected targets (N, …) with N = {sequences.Count} sequences, got {targets.ShapeText}.", nameof(targets));
        }

        _targetRows = targets;
        var shape = targets.Shape.ToArray();
        shape[0] = Math.Min(_options.BatchSize, sequences.Count);
        _targetBuffer = new Tensor(shape);
    }

    /// <summary>Batches <paramref name="sequences"/> (N) with <paramref name="targetSequences"/> (N), both padded.</summary>
    public SequenceBatcher(IReadOnlyList<int[]> sequences, IReadOnlyList<int[]> targetSequences, SequenceBatcherOptions? options = null)
        : this(sequences, options)
    {
        ArgumentNullException.ThrowIfNull(targetSequences);
        if (targetSequences.Count != sequences.Count)
        {
            throw new ArgumentException($"Expected one target sequence per input: {sequences.Count} inputs, {targetSequences.Count} targets.", nameof(targetSequences));
        }

        _targetSequences = targetSequences;
        int maxTarget = MaxLength(targetSequences, _options.Padding.MaxLength, nameof(targetSequences));
        int capacity = Math.Min(_options.BatchSize, sequences.Count);
        _targetIds = new int[capacity * maxTarget];
        _targetRowLengths = new int[capacity];
        _targetFloats = new float[capacity * maxTarget];
    }

    private SequenceBatcher(IReadOnlyList<int[]> sequences, SequenceBatcherOptions? options)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        _options = options ?? new SequenceBatcherOptions();
        BatchPlan.Validate(_options, sequences.Count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.BucketBatches, nameof(_options.BucketBatches));
        _sequences = sequences;
        int maxLength = MaxLength(sequences, _options.Padding.MaxLength, nameof(sequences));
        _lengths = sequences.Select(s => Math.Min(s.Length, maxLength)).ToArray();
        int capacity = Math.Min(_options.BatchSize, sequences.Count);
        _ids = new int[capacity * maxLength];
        _rowLengths = new int[capacity];
        _floats = new float[capacity * maxLength];
    }

    /// <inheritdoc />
    public int SampleCount => _sequences.Count;

    /// <summary>The options the batcher was made with.</summary>
    public SequenceBatcherOptions Options => _options;

    /// <inheritdoc />
    public int BatchesPerEpoch => BatchPlan.Count(SampleCount, _options);

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/> (0-based), lazily; same seed and epoch give the same batches.
    /// Each yielded <see cref="SequenceBatch"/> is the same object, refilled: use it before asking for the next.
    /// </summary>
    public IEnumerable<SequenceBatch> Epoch(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        var plan = BatchPlan.Make(SampleCount, _options, epoch, _options.Bucketing ? _lengths : null, _options.BucketBatches);
        return Iterate(plan);
    }

    IEnumerable<Batch> IBatcher.Epoch(int epoch) => Epoch(epoch);

    private IEnumerable<SequenceBatch> Iterate(int[][] plan)
    {
        var batch = new SequenceBatch();
        foreach (int[] indices in plan)
        {
            int length = PadBatch(_sequences, indices, _ids, _rowLengths, _floats);
            var inputs = View(_floats, indices.Length, length);
            if (_targetSequences is not null)
            {
                int targetLength = PadBatch(_targetSequences, indices, _targetIds, _targetRowLengths, _targetFloats);
                batch.Set(indices, inputs, View(_targetFloats, indices.Length, targetLength), _rowLengths);
                batch.SetIds(_ids, length, _targetIds, _targetRowLengths, targetLength);
            }
            else
            {
                batch.Set(indices, inputs, GatherRows(indices), _rowLengths);
                batch.SetIds(_ids, length, [], [], 0);
            }

            yield return batch;
        }
    }

    /// <summary>Pads the sequences at <paramref name="indices"/> into (B, T) <paramref name="ids"/> and its float copy; returns T.</summary>
    private int PadBatch(IReadOnlyList<int[]> sequences, int[] indices, int[] ids, int[] lengths, float[] floats)
    {
        int longest = 0;
        foreach (int i in indices)
        {
            longest = Math.Max(longest, sequences[i].Length);
        }

        int time = Math.Min(longest, _options.Padding.MaxLength ?? longest);
        for (int b = 0; b < indices.Length; b++)
        {
            lengths[b] = Padding.PadInto(sequences[indices[b]], ids.AsSpan(b * time, time), _options.Padding);
        }

        Padding.CopyIds(ids.AsSpan(0, indices.Length * time), floats);
        return time;
    }

    private Tensor GatherRows(int[] indices)
    {
        var source = _targetRows!;
        var destination = indices.Length == _targetBuffer!.Dim(0) ? _targetBuffer : _targetBuffer.Slice(0, indices.Length);
        int row = source.Length / source.Dim(0);
        for (int i = 0; i < indices.Length; i++)
        {
            source.Span.Slice(indices[i] * row, row).CopyTo(destination.Span.Slice(i * row, row));
        }

        return destination;
    }

    /// <summary>A (B, T) tensor over the first B·T floats of a reused buffer.</summary>
    private static Tensor View(float[] buffer, int batch, int time) =>
        new Tensor(buffer, buffer.Length).Slice(0, batch * time).Reshape(batch, time);

    private static int MaxLength(IReadOnlyList<int[]> sequences, int? cap, string name)
    {
        int longest = 0;
        for (int i = 0; i < sequences.Count; i++)
        {
            var s = sequences[i] ?? throw new ArgumentException($"{name}: sequence {i} is null.", name);
            longest = Math.Max(longest, s.Length);
        }

        if (cap is int c)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(c, "Padding.MaxLength");
            longest = Math.Min(longest, c);
        }

        return longest;
    }
}
