using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Recur.Cli.Common;
using Recur.Layers;
using Recur.Losses;
using Recur.Optimizers;
using Recur.Tensors;

namespace Recur.Cli.Demo;

/// <summary>What <c>recur demo</c> trains with: the options, and the fixed recipe around them.</summary>
internal sealed record DemoOptions(int Steps, int Hidden, ulong Seed, string Out, string? Data)
{
    public int Batch { get; init; } = 32;        // B: streams per step
    public int SeqLength { get; init; } = 64;    // T: characters per truncated-BPTT chunk
    public float LearningRate { get; init; } = 3e-3f;
    public float ClipNorm { get; init; } = 1f;
    public double ValFraction { get; init; } = 0.1;
    public int SampleLength { get; init; } = 300;
    public float Temperature { get; init; } = 0.8f;
}

/// <summary>
/// <c>recur demo</c>: a character-level LSTM learns the bundled Shakespeare sonnets, prints its progress, saves the
/// model and writes a sample.
/// </summary>
internal static class DemoCommand
{
    private const string BundledText = "text/shakespeare-sonnets/sonnets.txt";

    public static Command Create(TextWriter output, CancellationToken cancellation)
    {
        var steps = new Option<int>("--steps") { Description = "Training steps (batches)", DefaultValueFactory = _ => 1500 };
        var hidden = new Option<int>("--hidden") { Description = "LSTM hidden units", DefaultValueFactory = _ => 128 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the initialisation and the sample", DefaultValueFactory = _ => 1 };
        var outDir = new Option<string>("--out") { Description = "Folder for model.safetensors", DefaultValueFactory = _ => Path.Combine("runs", "demo") };
        var data = new Option<string?>("--data") { Description = "A UTF-8 text file to learn (default: the bundled sonnets)" };
        steps.Validators.Add(OptionChecks.Positive);
        hidden.Validators.Add(OptionChecks.Positive);

        var command = new Command("demo", "Train a character-level LSTM on Shakespeare's sonnets, save it and print a sample.")
        {
            steps, hidden, seed, outDir, data,
        };
        command.SetAction(parsed => Run(
            new DemoOptions(parsed.GetValue(steps), parsed.GetValue(hidden), parsed.GetValue(seed), parsed.GetValue(outDir)!, parsed.GetValue(data)),
            output, cancellation));
        return command;
    }

    public static int Run(DemoOptions options, TextWriter output, CancellationToken cancellation)
    {
        string path = options.Data ?? RepositoryData.Find(BundledText);
        if (!File.Exists(path))
        {
            throw new CliException($"--data: no such file: {Path.GetFullPath(path)}");
        }

        var corpus = new CharCorpus(File.ReadAllText(path, Encoding.UTF8), options.ValFraction);
        var train = corpus.Train(options.Batch, options.SeqLength);
        var val = corpus.Validation(options.Batch, options.SeqLength);
        int vocabulary = corpus.Vocabulary.Length, b = train.Batch, t = train.Steps;
        double baseline = corpus.UnigramEntropy();

        var model = new CharModel(vocabulary, options.Hidden, options.Seed);
        var loss = new SoftmaxCrossEntropy();
        var adam = new Adam(model.Parameters, options.LearningRate);
        var logitsGrad = new Tensor(t, b, vocabulary);
        var state = new RecurrentState(new Tensor(1, b, options.Hidden), new Tensor(1, b, options.Hidden)); // carried (1, B, H)

        output.WriteLine($"recur demo: character-level LSTM on {path}");
        output.WriteLine(Invariant($"  text      {corpus.TrainLength + corpus.ValLength:N0} chars, {vocabulary} symbols; train {corpus.TrainLength:N0}, val {corpus.ValLength:N0} (held-out tail)"));
        output.WriteLine(Invariant($"  model     one-hot({vocabulary}) -> LSTM({options.Hidden}) -> Dense({vocabulary}), {model.ParameterCount:N0} parameters"));
        output.WriteLine(Invariant($"  training  {options.Steps} steps of {b} x {t} chars (truncated BPTT, state carried), Adam lr {options.LearningRate}, clip {options.ClipNorm}, seed {options.Seed}"));
        output.WriteLine(Invariant($"  baseline  unigram entropy {baseline:F2} nats/char"));

        int every = Math.Max(1, options.Steps / 15), done = 0, reported = 0;
        double sinceReport = 0, trainLoss = double.NaN, valLoss = double.NaN;
        var curve = new List<(double Step, double Train, double Val)>();
        var clock = Stopwatch.StartNew();
        void Report()
        {
            trainLoss = sinceReport / (done - reported);
            sinceReport = 0;
            reported = done;
            valLoss = Evaluate(model, val, loss);
            curve.Add((done, trainLoss, valLoss));
            double seconds = clock.Elapsed.TotalSeconds;
            output.WriteLine(Invariant(
                $"step {done}/{options.Steps}  loss {trainLoss:F2}  val {valLoss:F2}  {done * (double)b * t / seconds / 1000:F1}k chars/s  eta {Clock((options.Steps - done) * seconds / done)}"));
        }

        while (done < options.Steps && !cancellation.IsCancellationRequested)
        {
            int steps = train.Next(out bool restarted);
            if (restarted)
            {
                Clear(state);
            }

            var logits = model.Forward(train.Inputs, steps, b, state, out var final);
            var gradView = steps == t ? logitsGrad : logitsGrad.Slice(0, steps);
            sinceReport += loss.Compute(logits, train.Targets.AsSpan(0, steps * b), gradView);
            adam.ZeroGrad();
            model.Backward(gradView);
            GradientClipping.ClipByGlobalNorm(adam.Parameters, options.ClipNorm);
            adam.Step();
            CopyState(final, state);
            done++;
            if (done % every == 0 || done == options.Steps)
            {
                Report();
            }
        }

        if (done < options.Steps)
        {
            output.WriteLine($"stopped after step {done} (Ctrl+C); saving what was learnt");
            if (done > reported)
            {
                Report();
            }
        }

        Directory.CreateDirectory(options.Out);
        string modelPath = Path.Combine(options.Out, "model.safetensors");
        model.Save(modelPath, new Dictionary<string, string>
        {
            ["format"] = "recur-char-lstm",
            ["vocabulary"] = new string(corpus.Vocabulary),
            ["hidden_size"] = options.Hidden.ToString(CultureInfo.InvariantCulture),
            ["steps"] = done.ToString(CultureInfo.InvariantCulture),
        });
        output.WriteLine(Invariant($"done: {done} steps in {Clock(clock.Elapsed.TotalSeconds)}, loss {trainLoss:F2}, val {valLoss:F2} nats/char (unigram baseline {baseline:F2})"));
        output.WriteLine($"saved {modelPath}");
        if (curve.Count > 0)
        {
            var plots = Common.LossPlot.Write(
                curve.Select(c => c.Step).ToArray(), "step", curve.Select(c => c.Train).ToArray(), curve.Select(c => c.Val).ToArray(),
                options.Out, "recur demo: character LSTM on Shakespeare's sonnets", "loss (nats/char)");
            output.WriteLine($"plotted {string.Join(" and ", plots)}");
        }

        output.WriteLine(Invariant($"sample (temperature {options.Temperature}, seed {options.Seed}):"));
        output.WriteLine(Sample(model, corpus, options));
        return 0;
    }

    /// <summary>Mean loss over the whole validation tail, its streams read with the state carried.</summary>
    private static double Evaluate(CharModel model, ChunkStream val, SoftmaxCrossEntropy loss)
    {
        model.Lstm.Training = false;
        RecurrentState? state = null;
        double total = 0;
        int counted = 0;
        for (int chunk = 0; chunk < val.ChunksPerPass; chunk++)
        {
            int steps = val.Next(out _);
            var logits = model.Forward(val.Inputs, steps, val.Batch, state, out var final);
            total += (double)loss.Compute(logits, val.Targets.AsSpan(0, steps * val.Batch)) * steps;
            counted += steps;
            state = new RecurrentState(final.Hidden.Clone(), final.Cell!.Clone());
        }

        model.Lstm.Training = true;
        return total / counted;
    }

    /// <summary>Characters drawn one at a time from softmax(logits / temperature), starting after a newline.</summary>
    private static string Sample(CharModel model, CharCorpus corpus, DemoOptions options)
    {
        var rng = new Rng(options.Seed);
        var text = new StringBuilder();
        int id = Math.Max(0, corpus.Id('\n'));
        var probabilities = new double[corpus.Vocabulary.Length];
        RecurrentState? state = null;
        for (int i = 0; i < options.SampleLength; i++)
        {
            var logits = model.Forward([id], 1, 1, state, out var final).Span;
            state = new RecurrentState(final.Hidden.Clone(), final.Cell!.Clone());
            float max = System.Numerics.Tensors.TensorPrimitives.Max(logits);
            double sum = 0;
            for (int v = 0; v < probabilities.Length; v++)
            {
                sum += probabilities[v] = Math.Exp((logits[v] - max) / options.Temperature);
            }

            double u = rng.NextDouble() * sum;
            id = 0;
            while (id < probabilities.Length - 1 && (u -= probabilities[id]) >= 0)
            {
                id++;
            }

            text.Append(corpus.Vocabulary[id]);
        }

        return text.ToString();
    }

    private static void Clear(RecurrentState state)
    {
        state.Hidden.Span.Clear();
        state.Cell!.Span.Clear();
    }

    // The layer's final state is a view of its buffers, overwritten by the next Forward: keep a copy.
    private static void CopyState(RecurrentState from, RecurrentState to)
    {
        from.Hidden.Span.CopyTo(to.Hidden.Span);
        from.Cell!.Span.CopyTo(to.Cell!.Span);
    }

    private static string Clock(double seconds)
    {
        int s = (int)Math.Round(seconds);
        return $"{s / 60}:{s % 60:D2}";
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
