using System.Diagnostics;
using Recur.Diagnostics;
using Recur.Initializers;
using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Training;

namespace Recur.Cli.GradFlow;

/// <summary>The recurrent cells the lab compares.</summary>
internal enum LabCell
{
    /// <summary>Elman RNN, tanh, PyTorch's initialisation.</summary>
    Rnn,

    /// <summary>Elman RNN, ReLU, W_hh = I, W_ih ~ N(0, 0.001²), biases 0 (Le et al., 2015).</summary>
    Irnn,

    /// <summary>LSTM, PyTorch's initialisation with the forget-gate bias set to 1.</summary>
    Lstm,

    /// <summary>GRU, PyTorch's initialisation.</summary>
    Gru,
}

/// <summary>How every run of the lab trains.</summary>
/// <param name="Steps">Most optimizer steps per synthetic run (fewer when solved earlier).</param>
/// <param name="Epochs">Passes over the real task's training part.</param>
/// <param name="Batch">Sequences per step.</param>
/// <param name="Hidden">H of the recurrent layer.</param>
/// <param name="LearningRate">Adam's.</param>
/// <param name="ClipNorm">The global-norm threshold of the runs with clipping.</param>
/// <param name="EvalEvery">Steps between two evaluations on the validation set (and probes of the gradient flow).</param>
/// <param name="Seed">Seed of the data and of the initialisation.</param>
internal sealed record LabSettings(int Steps, int Epochs, int Batch, int Hidden, float LearningRate, float ClipNorm, int EvalEvery, ulong Seed);

/// <summary>One evaluation during a run.</summary>
/// <param name="Step">Optimizer steps taken.</param>
/// <param name="Seconds">Wall time since the run's training began.</param>
/// <param name="TrainLoss">Mean training loss over the steps since the last checkpoint (NaN at step 0).</param>
/// <param name="Validation">The validation score.</param>
/// <param name="GateSaturation">Per gate (see <see cref="RunResult.GateNames"/>): the share of saturated values on the probe batch.</param>
internal sealed record Checkpoint(int Step, double Seconds, double TrainLoss, LabScore Validation, double[] GateSaturation);

/// <summary>What one (task, cell, clipping) run did.</summary>
internal sealed record RunResult(LabTask Task, LabCell Cell, bool Clip)
{
    /// <summary>Optimizer steps taken.</summary>
    public int Steps { get; init; }

    /// <summary>The step at which the validation score first met the task's criterion; null if never.</summary>
    public int? SolvedStep { get; init; }

    /// <summary>The wall time from the start of training to <see cref="SolvedStep"/>'s evaluation.</summary>
    public double? SolvedSeconds { get; init; }

    /// <summary>The step (from 1) whose loss was NaN or infinite; null if none.</summary>
    public long? DivergedStep { get; init; }

    /// <summary>The shorter lag at which the same cell and clipping failed, so this run was not trained; null if it was.</summary>
    public int? SkippedAfter { get; init; }

    /// <summary>Whether Ctrl+C ended the run early.</summary>
    public bool Stopped { get; init; }

    /// <summary>The score of the final weights on the test set; null after a divergence.</summary>
    public LabScore? Test { get; init; }

    /// <summary>The wall time of training and the evaluations in between.</summary>
    public double Seconds { get; init; }

    /// <summary>The share of steps whose gradient clipping scaled down.</summary>
    public double ClippedShare { get; init; }

    /// <summary>The largest global gradient norm (before clipping) of any step.</summary>
    public double MaxGradientNorm { get; init; }

    /// <summary>The evaluations, from step 0 on.</summary>
    public IReadOnlyList<Checkpoint> Checkpoints { get; init; } = [];

    /// <summary>The sigmoid gates recorded (LSTM input, forget, output; GRU reset, update); none for the RNNs.</summary>
    public IReadOnlyList<string> GateNames { get; init; } = [];

    /// <summary>ρ of each gate block of W_hh at initialisation (RNN: one; LSTM: i, f, g, o; GRU: r, z, n).</summary>
    public double[] SpectralRadii { get; init; } = [];

    /// <summary>(T): ‖∂L/∂h_t‖ on the probe batch at initialisation.</summary>
    public float[] FlowAtInit { get; init; } = [];

    /// <summary>(T): ‖∂L/∂h_t‖ on the probe batch with the final weights; empty after a divergence.</summary>
    public float[] FlowTrained { get; init; } = [];
}

/// <summary>
/// Trains one cell on one task and watches its gradients: the probe batch's ‖∂L/∂h_t‖ at initialisation and at the
/// end, the validation score and gate saturation every <see cref="LabSettings.EvalEvery"/> steps, the global
/// gradient norm of every step. A run stops early once the validation score meets the task's criterion.
/// </summary>
internal static class GradFlowLab
{
    /// <summary>"RNN (tanh)", "IRNN", "LSTM", "GRU".</summary>
    public static string Name(LabCell cell) => cell switch
    {
        LabCell.Rnn => "RNN (tanh)",
        LabCell.Irnn => "IRNN",
        LabCell.Lstm => "LSTM",
        LabCell.Gru => "GRU",
        _ => throw new ArgumentOutOfRangeException(nameof(cell), cell, null),
    };

    /// <summary>
    /// Input (T, I) → recurrent layer of <paramref name="hidden"/> units → Dense to the task's outputs (at every step
    /// for the copy task, after the last one otherwise), initialised as <see cref="LabCell"/> describes.
    /// </summary>
    public static Sequential CreateModel(LabTask task, LabCell cell, int hidden, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden, 1);
        int i = task.InputSize;
        bool perStep = task.PerStep;
        RecurrentLayer recurrent = cell switch
        {
            LabCell.Rnn => new Rnn(i, hidden, seed: seed) { ReturnSequences = perStep },
            LabCell.Irnn => new Rnn(i, hidden, nonlinearity: RnnNonlinearity.Relu, seed: seed) { ReturnSequences = perStep },
            LabCell.Lstm => new Lstm(i, hidden, seed: seed) { ReturnSequences = perStep },
            LabCell.Gru => new Gru(i, hidden, seed: seed) { ReturnSequences = perStep },
            _ => throw new ArgumentOutOfRangeException(nameof(cell), cell, null),
        };
        if (cell == LabCell.Irnn)
        {
            InitIrnn(recurrent, new Rng(seed));
        }
        else if (cell == LabCell.Lstm)
        {
            // At PyTorch's init f ≈ σ(0) = 0.5 halves the cell's memory every step; f ≈ σ(1) = 0.73 keeps it longer.
            Init.LstmForgetGateBias(recurrent);
        }

        return new Sequential(new Input(-1, i), recurrent, new Dense(hidden, task.OutputSize, seed: seed + 1));
    }

    /// <summary>Trains <paramref name="cell"/> on <paramref name="task"/>, with global-norm clipping if <paramref name="clip"/>.</summary>
    public static RunResult Run(LabTask task, LabCell cell, bool clip, LabSettings settings, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(settings);
        task.Rewind();
        var model = CreateModel(task, cell, settings.Hidden, settings.Seed);
        var loss = task.CreateLoss();
        model.Compile(loss, new Adam(model.Parameters, settings.LearningRate), clipNorm: clip ? settings.ClipNorm : null);
        var flow = new GradientFlowRecorder();
        model.Diagnostics = flow;

        var (flowAtInit, gatesAtInit) = Probe(model, task, loss, flow);
        var radii = RecurrentJacobian.SpectralRadii(model.Layers.OfType<RecurrentLayer>().Single());
        var gateNames = flow.Trace(0).GateNames;
        int maxSteps = task is SpliceTask real ? settings.Epochs * ((real.TrainingCount + settings.Batch - 1) / settings.Batch) : settings.Steps;
        var stop = new Common.StopOnCancel(cancellation);
        var clock = Stopwatch.StartNew();
        var checkpoints = new List<Checkpoint> { new(0, 0, double.NaN, Evaluate(model, task, task.Validation), gatesAtInit) };
        int steps = 0, clipped = 0;
        double maxNorm = 0;
        int? solvedStep = null;
        double? solvedSeconds = null;
        long? divergedStep = null;
        while (steps < maxSteps && !stop.Stopped)
        {
            var chunk = task.NextTraining(Math.Min(settings.EvalEvery, maxSteps - steps) * settings.Batch);
            History history;
            try
            {
                // One pass over fresh samples per Fit call: the synthetic tasks never show a sample twice.
                history = model.Fit(Dataset.FromTensors(chunk.Inputs, chunk.Targets), epochs: model.EpochsTaken + 1,
                    batchSize: settings.Batch, shuffle: false, callbacks: [stop], seed: settings.Seed);
            }
            catch (TrainingDivergedException e)
            {
                divergedStep = e.Step + 1;
                break;
            }
            finally
            {
                foreach (var s in flow.OptimizerSteps)
                {
                    clipped += s.Clipped ? 1 : 0;
                    maxNorm = Math.Max(maxNorm, s.NormBefore);
                }

                flow.ClearOptimizerSteps();
            }

            steps = (int)model.StepsTaken;
            var validation = Evaluate(model, task, task.Validation);
            var (_, gates) = Probe(model, task, loss, flow);
            checkpoints.Add(new Checkpoint(steps, clock.Elapsed.TotalSeconds, history.Epochs[^1]["loss"], validation, gates));
            if (validation.Solved == true)
            {
                (solvedStep, solvedSeconds) = (steps, clock.Elapsed.TotalSeconds);
                break;
            }
        }

        double seconds = clock.Elapsed.TotalSeconds;
        bool diverged = divergedStep is not null;
        return new RunResult(task, cell, clip)
        {
            Steps = diverged ? (int)divergedStep!.Value - 1 : steps,
            SolvedStep = solvedStep,
            SolvedSeconds = solvedSeconds,
            DivergedStep = divergedStep,
            Stopped = stop.Stopped,
            Test = diverged ? null : Evaluate(model, task, task.Test),
            Seconds = seconds,
            ClippedShare = clipped / (double)Math.Max(1, (int)model.StepsTaken),
            MaxGradientNorm = maxNorm,
            Checkpoints = checkpoints,
            GateNames = gateNames,
            SpectralRadii = radii,
            FlowAtInit = flowAtInit,
            FlowTrained = diverged ? [] : Probe(model, task, loss, flow).Flow,
        };
    }

    /// <summary>
    /// A run that is not trained because the same cell and clipping failed at the shorter lag
    /// <paramref name="failedLag"/>: only the gradient flow at initialisation is measured (one backward pass).
    /// </summary>
    public static RunResult Skip(LabTask task, LabCell cell, bool clip, LabSettings settings, int failedLag)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(settings);
        var model = CreateModel(task, cell, settings.Hidden, settings.Seed);
        var flow = new GradientFlowRecorder();
        model.Diagnostics = flow;
        return new RunResult(task, cell, clip)
        {
            SkippedAfter = failedLag,
            GateNames = flow.Trace(0).GateNames,
            SpectralRadii = RecurrentJacobian.SpectralRadii(model.Layers.OfType<RecurrentLayer>().Single()),
            FlowAtInit = Probe(model, task, task.CreateLoss(), flow).Flow,
        };
    }

    /// <summary>
    /// One forward and backward pass on the task's probe batch, without an optimizer step: (T) ‖∂L/∂h_t‖ over the
    /// batch, and per gate the share of saturated values over all steps.
    /// </summary>
    public static (float[] Flow, double[] GateSaturation) Probe(Model model, LabTask task, Loss loss, GradientFlowRecorder flow)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(flow);
        var probe = task.Probe;
        var prediction = model.Forward(new LayerValue(probe.Inputs))[0];
        var gradient = new Tensor([.. prediction.Data.Shape]);
        loss.Compute(prediction, probe.Targets, gradient);
        model.Backward(gradient); // the next training step zeroes the parameter gradients this adds
        var trace = flow.Trace(0);
        var saturation = new double[trace.GateNames.Count];
        for (int g = 0; g < saturation.Length; g++)
        {
            saturation[g] = trace.GateSaturation(g).Average();
        }

        return (trace.HiddenGradientNorm.ToArray(), saturation);
    }

    private static LabScore Evaluate(Model model, LabTask task, LabData data) => task.Score(model.Predict(data.Inputs, batchSize: 128), data);

    // Le et al. (2015): W_hh = I and zero biases, so that at first h_t = h_{t-1} + (small input): the state and its
    // gradient neither shrink nor grow while ReLU is in its linear part; W_ih ~ N(0, 0.001²).
    private static void InitIrnn(RecurrentLayer layer, Rng rng)
    {
        Init.Recurrent(layer, RecurrentInit.Identity, rng);
        foreach (var p in layer.Parameters.Where(p => p.Name.StartsWith("weight_ih_", StringComparison.Ordinal)))
        {
            var w = p.Value.Span;
            for (int j = 0; j < w.Length; j++)
            {
                w[j] = (float)(0.001 * rng.NextGaussian());
            }
        }
    }
}
