using System.CommandLine;
using System.Globalization;
using Recur.Cli.Common;
using Recur.Data;
using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Tensors;

namespace Recur.Cli.Text;

/// <summary>What differs between the text applications: the kind, the token and how text becomes tokens.</summary>
/// <param name="Kind">The application: "textgen" or "nextword".</param>
/// <param name="Unit">What a token is, in the report: "char" or "word".</param>
/// <param name="BuildTokenizer">Builds the tokenizer (and its vocabulary) from the training text.</param>
internal sealed record LanguageModelSpec(string Kind, string Unit, Func<string, Tokenizer> BuildTokenizer);

/// <summary>
/// <c>--data --embedding --bptt --val-fraction</c>, the options of a language model's training beyond the common ones.
/// </summary>
internal sealed class LanguageModelOptions
{
    private readonly Option<string?> _data;
    private readonly Option<int> _embedding, _bptt;
    private readonly Option<double> _valFraction = new("--val-fraction") { Description = "Share of the text held out at its end for validation", DefaultValueFactory = _ => 0.1 };

    public LanguageModelOptions(string dataDescription, int embedding, int bptt)
    {
        _data = new("--data") { Description = dataDescription };
        _embedding = new("--embedding") { Description = "Size of the token embedding", DefaultValueFactory = _ => embedding };
        _bptt = new("--bptt") { Description = "Tokens per truncated-BPTT chunk (the state is carried across chunks)", DefaultValueFactory = _ => bptt };
        _embedding.Validators.Add(OptionChecks.Positive);
        _bptt.Validators.Add(OptionChecks.Positive);
        _valFraction.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && double.TryParse(r.Tokens[0].Value, CultureInfo.InvariantCulture, out double v) && !(v > 0 && v < 0.5))
            {
                r.AddError($"--val-fraction must be above 0 and below 0.5, got {r.Tokens[0].Value}");
            }
        });
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_data);
        command.Options.Add(_embedding);
        command.Options.Add(_bptt);
        command.Options.Add(_valFraction);
    }

    public (string? Data, int Embedding, int Bptt, double ValFraction) Read(ParseResult parsed) =>
        (parsed.GetValue(_data), parsed.GetValue(_embedding), parsed.GetValue(_bptt), parsed.GetValue(_valFraction));
}

/// <summary>
/// The language model both text applications train and use: Embedding(V, E) → stateful recurrent layer(s) →
/// Dense(H, V) logits at every step, trained by truncated BPTT over <see cref="TokenStreams"/>.
/// </summary>
internal static class LanguageModel
{
    /// <summary>Trains on <paramref name="dataPath"/>, prints the data, model, baselines and result; saves into --out.</summary>
    public static void Train(
        LanguageModelSpec spec, string dataPath, int embedding, int bptt, double valFraction, TrainingSettings settings, CliContext cli)
    {
        var output = cli.Output;
        string text = InputText.Read(dataPath, "--data");
        var (head, tail) = InputText.SplitTail(text, valFraction);
        var tokenizer = spec.BuildTokenizer(head);
        var trainIds = tokenizer.Encode(head);
        var valIds = tokenizer.Encode(tail);
        var train = new TokenStreams(trainIds, settings.Batch, bptt, "training text");
        var val = new TokenStreams(valIds, settings.Batch, bptt, $"validation tail (the last {valFraction:P0} of {dataPath})");
        int v = tokenizer.Vocabulary.Count;
        var baselines = new NGramBaselines(v, train);
        double unigram = baselines.Unigram(val), bigram = baselines.Bigram(val);

        var rng = new Rng(settings.Seed);
        var model = new Sequential(
            new Input(-1),
            new Embedding(v, embedding, seed: rng.NextUInt64()),
            settings.Recurrent(embedding, returnSequences: true, stateful: true),
            new Dense(settings.Hidden, v, seed: rng.NextUInt64()));
        int unknown = trainIds.Count(id => id == Vocabulary.UnknownId);

        string u = spec.Unit;
        output.WriteLine($"recur {spec.Kind} train: {settings.CellName} language model on {dataPath}");
        output.WriteLine(Invariant($"  text      {trainIds.Length + valIds.Length:N0} {u}s; train {trainIds.Length:N0}, validation {valIds.Length:N0} (held-out tail)"));
        output.WriteLine(Invariant($"  vocab     {v:N0} tokens ({tokenizer.Vocabulary.SpecialCount} special); {unknown:N0} training {u}s ({(double)unknown / trainIds.Length:P1}) read as <unk>"));
        output.WriteLine(Invariant($"  model     Embedding({v}, {embedding}) -> {settings.CellName}({settings.Hidden}) x {settings.Layers} -> Dense({v}), {model.ParameterCount:N0} parameters"));
        output.WriteLine(Invariant($"  training  {settings.Epochs} epochs of {train.Inputs.Dim(0) / settings.Batch:N0} batches of {settings.Batch} x {bptt} {u}s (truncated BPTT, state carried), Adam lr {settings.LearningRate}, seed {settings.Seed}"));
        output.WriteLine(Invariant($"  baselines on the validation tail: unigram {unigram:F3} nats/{u} (perplexity {Math.Exp(unigram):F1}), bigram {bigram:F3} (perplexity {Math.Exp(bigram):F1})"));

        var job = new TrainingJob(spec.Kind, model, train.ToDataset(), val.ToDataset(), new CrossEntropyLoss(), [], Shuffle: false,
            new() { ["tokenizer"] = tokenizer.ToJson() }, $"cross-entropy (nats per {u})");
        var result = Trainer.Run(job, settings, cli);
        double best = result.BestValLoss;
        output.WriteLine(Invariant(
            $"done in {(int)result.Elapsed.TotalMinutes}:{result.Elapsed.Seconds:D2}: best epoch {result.BestEpoch + 1}, validation {best:F3} nats/{u} (perplexity {Math.Exp(best):F2}); unigram {unigram:F3} ({Math.Exp(unigram):F1}), bigram {bigram:F3} ({Math.Exp(bigram):F1})"));
        output.WriteLine($"saved {result.ModelPath}, plots {string.Join(", ", result.Plots)}");
    }

    /// <summary>Loads a <paramref name="kind"/> model and its tokenizer, checking that the two agree.</summary>
    public static (Model Model, Tokenizer Tokenizer) Load(string path, string kind)
    {
        var loaded = ModelStore.Load(path, kind);
        var tokenizer = ModelStore.Tokenizer(loaded, path) ?? throw new InvalidDataException($"{path}: the file holds no tokenizer");
        int expected = loaded.Model.Layers.OfType<Embedding>().Single().NumEmbeddings;
        if (tokenizer.Vocabulary.Count != expected)
        {
            throw new InvalidDataException(
                $"{path}: the saved vocabulary has {tokenizer.Vocabulary.Count} tokens but the network was built for {expected}; the file was altered");
        }

        return (loaded.Model, tokenizer);
    }

    /// <summary>
    /// The ids of <paramref name="text"/>. Tokens the vocabulary lacks are read as &lt;unk&gt; (which the model was
    /// trained on) with a warning naming them; a text with no known token at all is an error.
    /// </summary>
    public static int[] EncodePrompt(Tokenizer tokenizer, string text, string what, TextWriter error)
    {
        var tokens = tokenizer.Split(text);
        if (tokens.Count == 0)
        {
            throw new CliException($"{what} has no tokens");
        }

        var unknown = tokens.Where(t => !tokenizer.Vocabulary.Contains(t)).Distinct().ToList();
        if (tokens.All(unknown.Contains))
        {
            throw new CliException($"{what}: none of its tokens is in the model's vocabulary of {tokenizer.Vocabulary.Count:N0} (e.g. '{tokens[0]}')");
        }

        if (unknown.Count > 0)
        {
            error.WriteLine($"recur: warning: not in the model's vocabulary, read as <unk>: {string.Join(", ", unknown.Select(t => $"'{t}'"))}");
        }

        return tokenizer.Vocabulary.Encode(tokens);
    }

    /// <summary>
    /// Runs <paramref name="ids"/> through the stateful model, continuing from its carried state, and returns the
    /// logits (V) after the last one: generation steps one token at a time without re-reading the prefix.
    /// </summary>
    public static float[] Feed(Model model, ReadOnlySpan<int> ids)
    {
        var x = new Tensor(1, ids.Length);
        for (int t = 0; t < ids.Length; t++)
        {
            x.Span[t] = ids[t];
        }

        var logits = model.Forward(new LayerValue(x))[0].Data; // (1, T, V)
        int v = logits.Dim(-1);
        return logits.Span.Slice((ids.Length - 1) * v, v).ToArray();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
