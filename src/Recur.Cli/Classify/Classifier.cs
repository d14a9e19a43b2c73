using System.Text.Json.Nodes;
using Recur.Cli.Common;
using Recur.Data;
using Recur.Layers;
using Recur.Models;
using Recur.Tensors;

namespace Recur.Cli.Classify;

/// <summary>The classifier's own training choices beyond the common options.</summary>
internal sealed record ClassifierSpec(string Tokens, int Embedding, int MinFrequency, bool Bidirectional, string TextColumn, string LabelColumn)
{
    /// <summary>Classify the mean of the recurrent states over the valid steps (with embedding dropout) instead of the last state.</summary>
    public bool MeanPool { get; init; }
}

/// <summary>
/// A trained classifier: Embedding(V, E) → recurrent layer(s) whose last step (per sequence length) → Dense over
/// the classes, with the tokenizer, the class names and the columns it was trained on.
/// </summary>
internal sealed record Classifier(Model Model, Tokenizer Tokenizer, string[] Classes, string TextColumn, string LabelColumn)
{
    private const int BatchSize = 64;

    public static Model Build(int vocabulary, int classes, ClassifierSpec spec, TrainingSettings settings)
    {
        var rng = new Rng(settings.Seed);
        var embedding = new Embedding(vocabulary, spec.Embedding, seed: rng.NextUInt64());
        var head = new Dense(settings.Hidden * (spec.Bidirectional ? 2 : 1), classes, seed: rng.NextUInt64());
        if (!spec.MeanPool)
        {
            return new Sequential(new Input(-1), embedding, settings.Recurrent(spec.Embedding, returnSequences: false, stateful: false, spec.Bidirectional), head);
        }

        // Averaging the states of every valid step (lengths honoured) reads the whole sentence, like a bag of words
        // with context; dropout on the embeddings keeps 1,400 sentences from being memorised.
        return new Sequential(
            new Input(-1), embedding, new Dropout(0.3f, seed: rng.NextUInt64()),
            settings.Recurrent(spec.Embedding, returnSequences: true, stateful: false, spec.Bidirectional),
            new GlobalAveragePooling1D(), head);
    }

    /// <summary>Loads a model saved by <c>recur classify train</c>.</summary>
    /// <exception cref="CliException">No such file, or a model of another kind.</exception>
    /// <exception cref="InvalidDataException">The file lacks the tokenizer, classes or columns, or they disagree with the network.</exception>
    public static Classifier Load(string path)
    {
        var loaded = ModelStore.Load(path, ClassifyCommand.Kind);
        var tokenizer = ModelStore.Tokenizer(loaded, path) ?? throw new InvalidDataException($"{path}: the file holds no tokenizer");
        var classes = (loaded.Extras["classes"] as JsonArray)?.Select(c => c?.GetValue<string>() ?? "").ToArray() ?? [];
        var layers = loaded.Model.Layers;
        if (layers.OfType<Embedding>().Single().NumEmbeddings != tokenizer.Vocabulary.Count || layers.OfType<Dense>().Last().OutFeatures != classes.Length)
        {
            throw new InvalidDataException($"{path}: the saved vocabulary ({tokenizer.Vocabulary.Count}) or classes ({classes.Length}) do not fit the network; the file was altered");
        }

        loaded.Model.Training = false;
        return new(loaded.Model, tokenizer, classes, Text(loaded.Extras, "text_column", path), Text(loaded.Extras, "label_column", path));
    }

    /// <summary>The class probabilities of each token sequence, in batches padded to their longest.</summary>
    public float[][] Probabilities(IReadOnlyList<int[]> sequences)
    {
        var result = new float[sequences.Count][];
        for (int start = 0; start < sequences.Count; start += BatchSize)
        {
            int b = Math.Min(BatchSize, sequences.Count - start);
            int steps = Enumerable.Range(start, b).Max(i => sequences[i].Length);
            var x = new Tensor(b, steps);
            var lengths = new int[b];
            for (int i = 0; i < b; i++)
            {
                var ids = sequences[start + i];
                lengths[i] = ids.Length;
                for (int t = 0; t < ids.Length; t++)
                {
                    x.Span[i * steps + t] = ids[t];
                }
            }

            var logits = Model.Forward(new LayerValue(x, lengths))[0].Data; // (b, classes)
            int c = logits.Dim(-1);
            for (int i = 0; i < b; i++)
            {
                result[start + i] = Softmax(logits.Span.Slice(i * c, c));
            }
        }

        return result;
    }

    private static float[] Softmax(ReadOnlySpan<float> logits)
    {
        float max = float.NegativeInfinity;
        foreach (float z in logits)
        {
            max = Math.Max(max, z);
        }

        var p = new float[logits.Length];
        double sum = 0;
        for (int k = 0; k < p.Length; k++)
        {
            sum += p[k] = MathF.Exp(logits[k] - max);
        }

        for (int k = 0; k < p.Length; k++)
        {
            p[k] = (float)(p[k] / sum);
        }

        return p;
    }

    private static string Text(JsonObject extras, string key, string path) =>
        extras[key] is JsonValue v && v.TryGetValue(out string? s) ? s : throw new InvalidDataException($"{path}: the file does not say its '{key}'");
}
