using Recur.Data;
using Recur.Models;
using Recur.Tensors;

namespace Recur.Training;

/// <summary>
/// N training samples for a model: one <see cref="DataField"/> per model input and one per target. Batches are cut
/// in a seeded order per epoch (the same seed gives the same batches), optionally bucketed by sequence length so
/// that each batch pads less.
/// </summary>
public sealed class Dataset
{
    private readonly DataField[] _inputs, _targets;
    private readonly LayerValue[] _inputBatch;
    private readonly Tensor[] _targetBatch;

    /// <summary>A dataset of one input and one target field.</summary>
    public Dataset(DataField input, DataField target)
        : this([input], [target])
    {
    }

    /// <summary>A dataset with several inputs (e.g. encoder and decoder sequences) and targets.</summary>
    public Dataset(IReadOnlyList<DataField> inputs, IReadOnlyList<DataField> targets)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (inputs.Count == 0 || targets.Count == 0)
        {
            throw new ArgumentException("A dataset needs at least one input field and one target field.", nameof(inputs));
        }

        _inputs = inputs.ToArray();
        _targets = targets.ToArray();
        Count = _inputs[0].Count;
        foreach (var (field, i) in _inputs.Concat(_targets).Select((f, i) => (f, i)))
        {
            if (field.Count != Count)
            {
                throw new ArgumentException($"Every field must hold the same number of samples: field {i} has {field.Count}, field 0 has {Count}.", nameof(targets));
            }
        }

        _inputBatch = new LayerValue[_inputs.Length];
        _targetBatch = new Tensor[_targets.Length];
    }

    /// <summary>N, the number of samples.</summary>
    public int Count { get; }

    /// <summary>The input fields.</summary>
    public IReadOnlyList<DataField> Inputs => _inputs;

    /// <summary>The target fields.</summary>
    public IReadOnlyList<DataField> Targets => _targets;

    /// <summary>Samples of fixed shape: inputs (N, ...) and targets (N, ...).</summary>
    public static Dataset FromTensors(Tensor inputs, Tensor targets) => new(DataField.FromTensor(inputs), DataField.FromTensor(targets));

    /// <summary>The batches of one epoch: sample indices, shuffled with <paramref name="seed"/> and <paramref name="epoch"/>.</summary>
    internal int[][] Plan(int batchSize, bool shuffle, ulong seed, int epoch, bool bucketing)
    {
        var options = new BatcherOptions { BatchSize = batchSize, Shuffle = shuffle, Seed = seed };
        var lengths = bucketing ? _inputs.Select(f => f.Lengths).FirstOrDefault(l => l is not null) : null;
        return BatchPlan.Make(Count, options, epoch, lengths, lengths is null ? 0 : 50);
    }

    /// <summary>Gathers one batch; its values are views reused by the next call.</summary>
    internal (LayerValue[] Inputs, Tensor[] Targets) Batch(ReadOnlySpan<int> indices)
    {
        for (int i = 0; i < _inputs.Length; i++)
        {
            _inputBatch[i] = _inputs[i].Gather(indices);
        }

        for (int i = 0; i < _targets.Length; i++)
        {
            _targetBatch[i] = _targets[i].Gather(indices).Data;
        }

        return (_inputBatch, _targetBatch);
    }
}
