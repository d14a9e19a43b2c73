using System.Diagnostics;
using Recur.Losses;
using Recur.Metrics;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Training;

namespace Recur.Models;

// Keras' compile / fit / evaluate / predict.
public partial class Model
{
    private Loss? _loss;
    private Optimizer? _optimizer;
    private Metric[] _metrics = [];
    private float? _clipNorm, _clipValue;
    private Tensor? _lossGradient;

    /// <summary>The optimizer given to <see cref="Compile"/>, if any.</summary>
    public Optimizer? Optimizer => _optimizer;

    /// <summary>The loss given to <see cref="Compile"/>, if any.</summary>
    public Loss? Loss => _loss;

    /// <summary>The metrics given to <see cref="Compile"/>.</summary>
    public IReadOnlyList<Metric> Metrics => _metrics;

    /// <summary>The global-norm clipping threshold given to <see cref="Compile"/>, if any.</summary>
    public float? ClipNorm => _clipNorm;

    /// <summary>The element-wise clipping bound given to <see cref="Compile"/>, if any.</summary>
    public float? ClipValue => _clipValue;

    /// <summary>Optimizer steps taken by <see cref="Fit"/> over this model's life (restored from checkpoints).</summary>
    public long StepsTaken { get; internal set; }

    /// <summary>Epochs completed by <see cref="Fit"/> over this model's life (restored from checkpoints).</summary>
    public int EpochsTaken { get; internal set; }

    /// <summary>
    /// Sets what training optimises (Keras' compile): the loss applied to the first output, the optimizer over this
    /// model's parameters, metrics reported per epoch, and optional gradient clipping: each gradient element to
    /// [-clipValue, clipValue], then the global norm to at most clipNorm.
    /// </summary>
    public void Compile(Loss loss, Optimizer optimizer, IEnumerable<Metric>? metrics = null, float? clipNorm = null, float? clipValue = null)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(optimizer);
        if (clipNorm is { } c && !(c > 0 && float.IsFinite(c)))
        {
            throw new ArgumentOutOfRangeException(nameof(clipNorm), clipNorm, "clipNorm: expected a finite value > 0.");
        }

        if (clipValue is { } v && !(v > 0 && float.IsFinite(v)))
        {
            throw new ArgumentOutOfRangeException(nameof(clipValue), clipValue, "clipValue: expected a finite value > 0.");
        }

        var mine = Parameters.Select(p => p.Value).ToHashSet();
        if (optimizer.Parameters.Any(p => !mine.Contains(p.Value)))
        {
            throw new ArgumentException("optimizer: it updates parameters that are not this model's; create it with model.Parameters.", nameof(optimizer));
        }

        _loss = loss;
        _optimizer = optimizer;
        _metrics = metrics?.ToArray() ?? [];
        _clipNorm = clipNorm;
        _clipValue = clipValue;
    }

    /// <summary>
    /// Trains for <paramref name="epochs"/> epochs (Keras' fit) and returns the figures of each. The same seeds give
    /// the same run bit for bit. A NaN or infinite loss stops training with a <see cref="TrainingDivergedException"/>
    /// naming the step, before any weight is updated from it.
    /// </summary>
    /// <param name="train">The training samples.</param>
    /// <param name="validation">Samples evaluated after each epoch ("val_" figures), or null.</param>
    /// <param name="epochs">The epoch to stop before (training resumes at <see cref="EpochsTaken"/>).</param>
    /// <param name="batchSize">Samples per batch.</param>
    /// <param name="shuffle">Whether to shuffle the samples each epoch (seeded by <paramref name="seed"/> and the epoch).</param>
    /// <param name="callbacks">Early stopping, checkpoints, schedules, progress.</param>
    /// <param name="seed">Seed of the batch order.</param>
    /// <param name="bucketing">Whether to group sequences of similar length into batches (less padding).</param>
    public History Fit(
        Dataset train, Dataset? validation = null, int epochs = 1, int batchSize = 32, bool shuffle = true,
        IEnumerable<Callback>? callbacks = null, ulong seed = 0, bool bucketing = false)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var (loss, optimizer) = Compiled();
        CheckDataset(train, nameof(train));
        if (validation is not null)
        {
            CheckDataset(validation, nameof(validation));
        }

        var hooks = callbacks?.ToArray() ?? [];
        var context = new TrainingContext(this, epochs, (train.Count + batchSize - 1) / batchSize) { Step = StepsTaken };
        foreach (var c in hooks)
        {
            c.OnTrainBegin(context);
        }

        for (int epoch = EpochsTaken; epoch < epochs && !context.StopTraining; epoch++)
        {
            context.Epoch = epoch;
            Training = true;
            ResetStates(); // a stateful stream starts again with each epoch
            var clock = Stopwatch.StartNew();
            foreach (var m in _metrics)
            {
                m.Reset();
            }

            double lossSum = 0;
            long counted = 0;
            var plan = train.Plan(batchSize, shuffle, seed, epoch, bucketing);
            for (int b = 0; b < plan.Length && !context.StopTraining; b++)
            {
                foreach (var c in hooks)
                {
                    c.OnBatchBegin(context, b);
                }

                var (inputs, targets) = train.Batch(plan[b]);
                var prediction = Forward(inputs)[0];
                var gradient = Tensor.Reuse(ref _lossGradient, prediction.Data.Shape);
                double batchLoss = Kernels.Elementwise.IndexOfNonFinite(prediction.Data.Span) >= 0
                    ? double.NaN // the weights have diverged; the loss would refuse the prediction
                    : loss.Compute(prediction, targets[0], gradient);
                if (!double.IsFinite(batchLoss))
                {
                    throw new TrainingDivergedException(epoch, b, context.Step, batchLoss);
                }

                lossSum += batchLoss * loss.LastCount;
                counted += loss.LastCount;
                foreach (var m in _metrics)
                {
                    m.Update(prediction, targets[0]);
                }

                optimizer.ZeroGrad();
                BackwardFirstOutput(gradient);
                ClipGradients(optimizer.Parameters);
                optimizer.Step();
                context.Step = ++StepsTaken;
                foreach (var c in hooks)
                {
                    c.OnBatchEnd(context, b, batchLoss);
                }
            }

            var log = new EpochLog(epoch);
            log.Values["loss"] = counted == 0 ? double.NaN : lossSum / counted;
            foreach (var m in _metrics)
            {
                log.Values[m.Name] = m.Result;
            }

            if (validation is not null)
            {
                foreach (var (name, value) in Evaluate(validation, batchSize))
                {
                    log.Values["val_" + name] = value;
                }
            }

            log.Values["lr"] = optimizer.LearningRate;
            log.Values["seconds"] = clock.Elapsed.TotalSeconds;
            log.Values["samples_per_second"] = train.Count / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
            EpochsTaken = epoch + 1;
            context.History.Add(log);
            foreach (var c in hooks)
            {
                c.OnEpochEnd(context, log);
            }
        }

        foreach (var c in hooks)
        {
            c.OnTrainEnd(context);
        }

        Training = false;
        return context.History;
    }

    /// <summary>The loss and metrics over <paramref name="data"/> in evaluation mode (no dropout), by name.</summary>
    public OrderedDictionary<string, double> Evaluate(Dataset data, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var (loss, _) = Compiled();
        CheckDataset(data, nameof(data));
        bool wasTraining = Training;
        Training = false;
        ResetStates();
        foreach (var m in _metrics)
        {
            m.Reset();
        }

        double lossSum = 0;
        long counted = 0;
        foreach (var indices in data.Plan(batchSize, shuffle: false, seed: 0, epoch: 0, bucketing: false))
        {
            var (inputs, targets) = data.Batch(indices);
            var prediction = Forward(inputs)[0];
            double batchLoss = loss.Compute(prediction, targets[0], null);
            lossSum += batchLoss * loss.LastCount;
            counted += loss.LastCount;
            foreach (var m in _metrics)
            {
                m.Update(prediction, targets[0]);
            }
        }

        Training = wasTraining;
        var result = new OrderedDictionary<string, double>(StringComparer.Ordinal) { ["loss"] = counted == 0 ? double.NaN : lossSum / counted };
        foreach (var m in _metrics)
        {
            result[m.Name] = m.Result;
        }

        return result;
    }

    /// <summary>
    /// The first output for fixed-shape inputs (N, ...), computed in batches in evaluation mode: a new tensor
    /// (N, ...) the caller owns.
    /// </summary>
    public Tensor Predict(Tensor inputs, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (_inputs.Length != 1)
        {
            throw new InvalidOperationException($"Predict(Tensor) is for single-input models; this one has {_inputs.Length} inputs: call Forward.");
        }

        var field = DataField.FromTensor(inputs);
        bool wasTraining = Training;
        Training = false;
        Tensor? result = null;
        int n = inputs.Dim(0), rowLength = 0;
        var indices = new int[Math.Min(batchSize, n)];
        for (int start = 0; start < n; start += batchSize)
        {
            int size = Math.Min(batchSize, n - start);
            for (int i = 0; i < size; i++)
            {
                indices[i] = start + i;
            }

            var output = Forward(field.Gather(indices.AsSpan(0, size)))[0].Data;
            if (result is null)
            {
                var shape = output.Shape.ToArray();
                shape[0] = n;
                result = new Tensor(shape);
                rowLength = output.Length / size;
            }

            output.Span.CopyTo(result.Span.Slice(start * rowLength, size * rowLength));
        }

        Training = wasTraining;
        return result!;
    }

    /// <summary>Clips as compiled: each element, then the global norm; tells the diagnostics, if attached, what it did.</summary>
    private void ClipGradients(IReadOnlyList<Modules.Parameter> parameters)
    {
        ClipResult? byValue = _clipValue is { } bound ? GradientClipping.ClipByValue(parameters, bound) : null;
        ClipResult? byNorm = _clipNorm is { } clip ? GradientClipping.ClipByGlobalNorm(parameters, clip) : null;
        _diagnostics?.RecordOptimizerStep(byValue, byNorm, parameters);
    }

    private (Loss Loss, Optimizer Optimizer) Compiled() =>
        _loss is not null && _optimizer is not null
            ? (_loss, _optimizer)
            : throw new InvalidOperationException("The model is not compiled: call Compile(loss, optimizer, metrics) before Fit or Evaluate.");

    private void CheckDataset(Dataset data, string name)
    {
        if (data.Inputs.Count != _inputs.Length)
        {
            throw new ArgumentException($"{name}: the model has {_inputs.Length} input(s), the dataset {data.Inputs.Count}.", name);
        }

        for (int i = 0; i < _inputs.Length; i++)
        {
            var expected = _inputs[i].Shape.ToArray();
            var actual = data.Inputs[i].SampleShape;
            bool fits = expected.Length == actual.Length && expected.Zip(actual).All(p => p.First == -1 || p.First == p.Second);
            if (!fits)
            {
                throw new ArgumentException(
                    $"{name}: input {i} ('{_inputs[i].Name}') expects samples of shape {Tensor.FormatShape(expected)}, the dataset has {Tensor.FormatShape(actual)}.", name);
            }
        }
    }

    private void BackwardFirstOutput(Tensor gradient)
    {
        if (_outputs.Length == 1)
        {
            Backward(gradient);
            return;
        }

        var grads = new Tensor?[_outputs.Length];
        grads[0] = gradient;
        Backward(grads);
    }
}
