using System.Globalization;
using Recur.Losses;
using Recur.Tensors;

namespace Recur.Cli.GradFlow;

/// <summary>How a model did on a held-out set: its loss, the task's figure of merit and whether that counts as solved.</summary>
/// <param name="Loss">The training loss on the set (MSE or cross-entropy per counted step).</param>
/// <param name="Metric">The task's figure: MSE (adding), recall accuracy (copy), accuracy (real).</param>
/// <param name="Solved">Whether the task's criterion is met; null for a task without one.</param>
internal readonly record struct LabScore(double Loss, double Metric, bool? Solved);

/// <summary>Samples: inputs (N, T, I) and targets (N, 1), (N, T) or (N).</summary>
internal readonly record struct LabData(Tensor Inputs, Tensor Targets)
{
    public int Count => Inputs.Dim(0);

    /// <summary>The first <paramref name="count"/> samples (views).</summary>
    public LabData Head(int count) => new(Inputs.Slice(0, count), Targets.Slice(0, count));
}

/// <summary>
/// One task of the lab: its data (a stream of training samples, fixed validation, test and probe sets), its model's
/// head and loss, and how a prediction is scored.
/// </summary>
internal abstract class LabTask
{
    /// <summary>"adding", "copy" or "real".</summary>
    public abstract string Name { get; }

    /// <summary>The lag the table reports as T.</summary>
    public abstract int Lag { get; }

    /// <summary>I: features per input step.</summary>
    public abstract int InputSize { get; }

    /// <summary>Outputs of the Dense head (per step when <see cref="PerStep"/>).</summary>
    public abstract int OutputSize { get; }

    /// <summary>Whether the model answers at every step (copy) rather than once after the last (many-to-one).</summary>
    public virtual bool PerStep => false;

    /// <summary>The figure of <see cref="LabScore.Metric"/>, e.g. "test MSE".</summary>
    public abstract string MetricName { get; }

    /// <summary>What a model that learnt nothing scores, e.g. "0.167 (always 1)".</summary>
    public abstract string Baseline { get; }

    /// <summary>What the loss is, for the plots: "cross-entropy" unless overridden.</summary>
    public virtual string LossName => "cross-entropy";

    /// <summary>The held-out samples that decide early stopping and draw the learning curves.</summary>
    public abstract LabData Validation { get; }

    /// <summary>The held-out samples of the final score.</summary>
    public abstract LabData Test { get; }

    /// <summary>
    /// The fixed batch whose backward pass gives the gradient-flow curves and the gate saturation. Its targets may
    /// count fewer steps than training does (copy: the recalled symbols only).
    /// </summary>
    public abstract LabData Probe { get; }

    /// <summary>A new loss object (the lab trains one model at a time, each with its own).</summary>
    public abstract Loss CreateLoss();

    /// <summary>The next <paramref name="count"/> training samples of a stream that every cell sees in the same order.</summary>
    public abstract LabData NextTraining(int count);

    /// <summary>Restarts the training stream, so that the next run sees the same samples.</summary>
    public abstract void Rewind();

    /// <summary>Scores <paramref name="predictions"/> of the model's shape against <paramref name="data"/>'s targets.</summary>
    public abstract LabScore Score(Tensor predictions, LabData data);

    /// <summary>"adding T=100".</summary>
    public string Label => string.Create(CultureInfo.InvariantCulture, $"{Name} T={Lag}");

    /// <summary>A file-name-safe "adding-T100".</summary>
    public string Slug => string.Create(CultureInfo.InvariantCulture, $"{Name}-T{Lag}");

    /// <summary>A seed for one purpose (training stream, validation, ...) of this task and lag, decorrelated by Rng's SplitMix.</summary>
    protected static Rng Seeded(ulong seed, int lag, int purpose) => new(seed * 1_000_003UL + (ulong)lag * 16UL + (ulong)purpose);

    /// <summary>The softmax cross-entropy of one position's (V) logits against class <paramref name="target"/>.</summary>
    protected static double CrossEntropy(ReadOnlySpan<float> logits, int classes, int target)
    {
        float max = float.NegativeInfinity;
        for (int v = 0; v < classes; v++)
        {
            max = Math.Max(max, logits[v]);
        }

        double sum = 0;
        for (int v = 0; v < classes; v++)
        {
            sum += Math.Exp(logits[v] - max);
        }

        return Math.Log(sum) + max - logits[target];
    }

    /// <summary>The index of the largest of <paramref name="logits"/> (the first on ties).</summary>
    protected static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int v = 1; v < logits.Length; v++)
        {
            best = logits[v] > logits[best] ? v : best;
        }

        return best;
    }
}

/// <summary>
/// A synthetic task of lag T: a seeded generator gives the training stream (fresh samples every step, the same for
/// every cell after <see cref="Rewind"/>) and the fixed validation, test and probe sets.
/// </summary>
internal abstract class GeneratedTask : LabTask
{
    private readonly Func<int, int, Rng, LabData> _generate; // (count, lag, rng) → samples
    private readonly ulong _seed;
    private Rng _stream;

    protected GeneratedTask(int lag, ulong seed, int validation, int test, int probe, Func<int, int, Rng, LabData> generate)
    {
        Lag = lag;
        _seed = seed;
        _generate = generate;
        _stream = Seeded(seed, lag, 0);
        Validation = generate(validation, lag, Seeded(seed, lag, 1));
        Test = generate(test, lag, Seeded(seed, lag, 2));
        Probe = generate(probe, lag, Seeded(seed, lag, 3));
    }

    public override int Lag { get; }

    public override LabData Validation { get; }

    public override LabData Test { get; }

    public override LabData Probe { get; }

    public override LabData NextTraining(int count) => _generate(count, Lag, _stream);

    public override void Rewind() => _stream = Seeded(_seed, Lag, 0);
}

/// <summary>The adding problem of lag T (see <see cref="AddingProblem"/>).</summary>
internal sealed class AddingTask(int lag, ulong seed, int validation, int test, int probe)
    : GeneratedTask(lag, seed, validation, test, probe, AddingProblem.Generate)
{
    public override string Name => "adding";

    public override int InputSize => AddingProblem.Channels;

    public override int OutputSize => 1;

    public override string MetricName => "MSE";

    public override string Baseline => string.Create(CultureInfo.InvariantCulture, $"{AddingProblem.BaselineMse:F3} (always 1)");

    public override string LossName => "MSE";

    public override Loss CreateLoss() => new MeanSquaredError();

    public override LabScore Score(Tensor predictions, LabData data)
    {
        ReadOnlySpan<float> y = predictions.Span, target = data.Targets.Span; // (N, 1), (N, 1)
        double sum = 0;
        for (int n = 0; n < target.Length; n++)
        {
            double e = y[n] - target[n];
            sum += e * e;
        }

        double mse = sum / target.Length;
        return new LabScore(mse, mse, mse < AddingProblem.SolvedMse);
    }
}

/// <summary>The copy-memory task of lag T (see <see cref="CopyMemory"/>).</summary>
internal sealed class CopyTask : GeneratedTask
{
    private const int IgnoreIndex = -100;

    public CopyTask(int lag, ulong seed, int validation, int test, int probe)
        : base(lag, seed, validation, test, probe, CopyMemory.Generate)
    {
        // Only the recall counts in the probe: its gradient at the input steps is what must cross the lag.
        int length = CopyMemory.Length(lag);
        var targets = Probe.Targets.Span; // (N, T+20)
        for (int n = 0; n < probe; n++)
        {
            targets.Slice(n * length, lag + CopyMemory.Recalled).Fill(IgnoreIndex);
        }
    }

    public override string Name => "copy";

    public override int InputSize => CopyMemory.InputSymbols;

    public override int OutputSize => CopyMemory.OutputSymbols;

    public override bool PerStep => true;

    public override string MetricName => "recall accuracy";

    public override string Baseline => string.Create(CultureInfo.InvariantCulture,
        $"0.125 (cross-entropy {CopyMemory.BaselineCrossEntropy(Lag):F4})");

    public override Loss CreateLoss() => new CrossEntropyLoss(IgnoreIndex);

    public override LabScore Score(Tensor predictions, LabData data)
    {
        int length = CopyMemory.Length(Lag), v = OutputSize, recallFrom = Lag + CopyMemory.Recalled;
        ReadOnlySpan<float> z = predictions.Span, target = data.Targets.Span; // (N, T+20, 9), (N, T+20)
        double loss = 0;
        long right = 0;
        for (int n = 0; n < data.Count; n++)
        {
            for (int t = 0; t < length; t++)
            {
                int position = n * length + t, y = (int)target[position];
                var logits = z.Slice(position * v, v);
                loss += CrossEntropy(logits, v, y);
                right += t >= recallFrom && ArgMax(logits) == y ? 1 : 0;
            }
        }

        double accuracy = (double)right / (data.Count * CopyMemory.Recalled);
        return new LabScore(loss / (data.Count * length), accuracy, accuracy >= CopyMemory.SolvedAccuracy);
    }
}

/// <summary>
/// The real task: the UCI primate splice junctions (60 nucleotides, one-hot A/C/G/T; classes exon→intron `ei`,
/// intron→exon `ie`, neither `n`), read many-to-one. The junction sits at position 30, so the evidence is about 30
/// steps before the last one. Split 70/15/15 (seeded); the training stream reshuffles the training part each pass.
/// </summary>
internal sealed class SpliceTask : LabTask
{
    private const string Nucleotides = "ACGT";
    private readonly LabData _train;
    private readonly ulong _seed;
    private readonly string[] _classes;
    private int[] _order = [];
    private int _next;
    private Rng _stream;

    private SpliceTask(LabData all, string[] classes, string path, ulong seed, int probe)
    {
        _classes = classes;
        _seed = seed;
        Path = path;
        Lag = all.Inputs.Dim(1);
        var order = Shuffled(all.Count, new Rng(seed * 1_000_003UL + 7));
        int validation = all.Count * 15 / 100, test = validation, train = all.Count - validation - test;
        _train = Gather(all, order[..train]);
        Validation = Gather(all, order[train..(train + validation)]);
        Test = Gather(all, order[(train + validation)..]);
        Probe = Validation.Head(Math.Min(probe, validation));
        Majority = MajorityShare(_train, Test, classes.Length);
        _stream = new Rng(seed);
    }

    /// <summary>The CSV read.</summary>
    public string Path { get; }

    /// <summary>The test accuracy of always answering the most frequent class of the training part.</summary>
    public double Majority { get; }

    /// <summary>Training samples.</summary>
    public int TrainingCount => _train.Count;

    public override string Name => "real";

    public override int Lag { get; }

    public override int InputSize => Nucleotides.Length;

    public override int OutputSize => _classes.Length;

    public override string MetricName => "accuracy";

    public override string Baseline => string.Create(CultureInfo.InvariantCulture, $"{Majority:F3} (majority class)");

    public override LabData Validation { get; }

    public override LabData Test { get; }

    public override LabData Probe { get; }

    /// <summary>
    /// Reads <paramref name="path"/>: a header <c>sequence,class</c>, then one sequence of A/C/G/T and its class per
    /// line, every sequence of the same length.
    /// </summary>
    /// <exception cref="CliException">No such file, or a line that does not fit; the message names the file and line.</exception>
    public static SpliceTask Read(string path, ulong seed, int probe)
    {
        string[] lines = Common.InputText.Read(path, "--data").Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        if (lines[0] != "sequence,class")
        {
            throw new CliException($"{path}:1: expected the header 'sequence,class', got '{lines[0]}'");
        }

        var rows = new List<(string Sequence, string Class, int Line)>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }

            string[] fields = lines[i].Split(',');
            int bad = fields.Length == 2 ? fields[0].AsSpan().IndexOfAnyExcept(Nucleotides) : 0;
            if (fields.Length != 2 || bad >= 0 || fields[0].Length < 2 || fields[1].Length == 0)
            {
                string why = fields.Length != 2 ? $"expected 2 fields, got {fields.Length}"
                    : fields[0].Length < 2 || fields[1].Length == 0 ? "expected a sequence of at least 2 nucleotides and a class"
                    : $"'{fields[0][bad]}' at position {bad + 1} is not one of A, C, G, T";
                throw new CliException(string.Create(CultureInfo.InvariantCulture, $"{path}:{i + 1}: {why}"));
            }

            if (rows.Count > 0 && fields[0].Length != rows[0].Sequence.Length)
            {
                throw new CliException(string.Create(CultureInfo.InvariantCulture,
                    $"{path}:{i + 1}: the sequence has {fields[0].Length} nucleotides, the first one {rows[0].Sequence.Length}; all must have the same length"));
            }

            rows.Add((fields[0], fields[1], i + 1));
        }

        if (rows.Count < 20)
        {
            throw new CliException(string.Create(CultureInfo.InvariantCulture, $"{path}: {rows.Count} sequences; the lab needs at least 20"));
        }

        string[] classes = rows.Select(r => r.Class).Distinct().Order(StringComparer.Ordinal).ToArray();
        int length = rows[0].Sequence.Length;
        var inputs = new Tensor(rows.Count, length, Nucleotides.Length); // (N, T, 4) one-hot
        var targets = new Tensor(rows.Count);                          // (N) class indices
        for (int n = 0; n < rows.Count; n++)
        {
            for (int t = 0; t < length; t++)
            {
                inputs.Span[(n * length + t) * Nucleotides.Length + Nucleotides.IndexOf(rows[n].Sequence[t], StringComparison.Ordinal)] = 1f;
            }

            targets.Span[n] = Array.IndexOf(classes, rows[n].Class);
        }

        return new SpliceTask(new LabData(inputs, targets), classes, path, seed, probe);
    }

    public override Loss CreateLoss() => new CrossEntropyLoss();

    public override LabData NextTraining(int count)
    {
        var picked = new int[count];
        for (int i = 0; i < count; i++)
        {
            if (_next == _order.Length)
            {
                (_order, _next) = (Shuffled(_train.Count, _stream), 0);
            }

            picked[i] = _order[_next++];
        }

        return Gather(_train, picked);
    }

    public override void Rewind() => (_stream, _order, _next) = (new Rng(_seed), [], 0);

    public override LabScore Score(Tensor predictions, LabData data)
    {
        int v = OutputSize;
        ReadOnlySpan<float> z = predictions.Span, target = data.Targets.Span; // (N, V), (N)
        double loss = 0;
        int right = 0;
        for (int n = 0; n < data.Count; n++)
        {
            var logits = z.Slice(n * v, v);
            loss += CrossEntropy(logits, v, (int)target[n]);
            right += ArgMax(logits) == (int)target[n] ? 1 : 0;
        }

        return new LabScore(loss / data.Count, (double)right / data.Count, null);
    }

    private static int[] Shuffled(int count, Rng rng)
    {
        var order = Enumerable.Range(0, count).ToArray();
        for (int i = count - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }

    private static LabData Gather(LabData data, int[] rows)
    {
        int inRow = data.Inputs.Length / data.Count, outRow = data.Targets.Length / data.Count;
        var inputs = new Tensor([rows.Length, .. data.Inputs.Shape[1..]]);
        var targets = new Tensor([rows.Length, .. data.Targets.Shape[1..]]);
        for (int i = 0; i < rows.Length; i++)
        {
            data.Inputs.Span.Slice(rows[i] * inRow, inRow).CopyTo(inputs.Span.Slice(i * inRow, inRow));
            data.Targets.Span.Slice(rows[i] * outRow, outRow).CopyTo(targets.Span.Slice(i * outRow, outRow));
        }

        return new LabData(inputs, targets);
    }

    private static double MajorityShare(LabData train, LabData test, int classes)
    {
        var counts = new int[classes];
        foreach (float y in train.Targets.Span)
        {
            counts[(int)y]++;
        }

        int majority = Array.IndexOf(counts, counts.Max());
        int hits = 0;
        foreach (float y in test.Targets.Span)
        {
            hits += (int)y == majority ? 1 : 0;
        }

        return (double)hits / test.Count;
    }
}
