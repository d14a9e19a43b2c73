using System.Globalization;
using System.Text.Json.Nodes;
using Recur.Cli.Common;
using Recur.Data;
using Recur.Layers;
using Recur.Models;
using Recur.Serialization;
using Recur.Tensors;

namespace Recur.Cli.Classify;

/// <summary>
/// What a classifier reads and how one example becomes the network's input steps: text through a tokenizer, or numeric
/// CSV columns through a scaler. It is fitted on the training split and saved with the model, so that predict and
/// evaluate read new examples exactly as training did.
/// </summary>
internal abstract class ClassifierInput
{
    // "text" or "numeric"; files saved before numeric inputs existed have no such key and are text.
    private const string Key = "input";

    /// <summary>Values per step of an encoded sequence; 0 when a step is one token id.</summary>
    public abstract int Features { get; }

    /// <summary>The model's input, the layers from it to the recurrent layer, and the size of each step they hand that.</summary>
    public abstract (Input Input, Layer[] Layers, int Width) Front(Rng rng);

    /// <summary>What the front is, for the model line: "Embedding(1377, 64)" or "8 x 8 values".</summary>
    public abstract string FrontName { get; }

    /// <summary>One line on the encoded training split: its vocabulary or columns and lengths.</summary>
    public abstract string Summary(float[][] train);

    /// <summary>The linear baseline's features, fitted on the encoded training split.</summary>
    public abstract BaselineFeatures Baseline(float[][] train);

    /// <summary>What <see cref="Load"/> reads back, saved in the model file's extras.</summary>
    public abstract JsonObject ToJson();

    /// <summary>The input saved in <paramref name="loaded"/>, checked against its network.</summary>
    /// <exception cref="InvalidDataException">Missing, malformed, or not fitting the network: the file was altered.</exception>
    public static ClassifierInput Load(LoadedModel loaded, string path)
    {
        string kind = loaded.Extras[Key] is JsonValue v && v.TryGetValue(out string? s) ? s : TextInput.Name;
        ClassifierInput input = kind switch
        {
            TextInput.Name => TextInput.FromExtras(loaded, path),
            NumericInput.Name => NumericInput.FromExtras(loaded, path),
            _ => throw new InvalidDataException($"{path}: unknown classifier input '{kind}'; expected '{TextInput.Name}' or '{NumericInput.Name}'"),
        };
        int[] shape = loaded.Model.InputShapes[0];
        if (shape.Length != (input.Features == 0 ? 1 : 2) || (input.Features > 0 && shape[1] != input.Features))
        {
            throw new InvalidDataException($"{path}: the network reads steps of shape ({string.Join(", ", shape)}), not what the saved {kind} input gives; the file was altered");
        }

        return input;
    }

    private protected static JsonObject Tagged(string name, JsonObject fields)
    {
        fields[Key] = name;
        return fields;
    }

    private protected static string Text(JsonObject extras, string key, string path) =>
        extras[key] is JsonValue v && v.TryGetValue(out string? s) ? s : throw new InvalidDataException($"{path}: the file does not say its '{key}'");

    private protected static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The linear baseline's inputs: its name, what its features are, how many, and those of one encoded sequence.</summary>
internal sealed record BaselineFeatures(string Name, string Description, int Count, Func<float[], SparseVector> Of);

/// <summary>A <see cref="ClassifierInput"/> that encodes examples of type <typeparamref name="T"/> (a text, or the numbers of a row).</summary>
internal abstract class ClassifierInput<T> : ClassifierInput
{
    /// <summary>The input steps of <paramref name="example"/> (token ids, or T·F values), which came from <paramref name="origin"/>.</summary>
    /// <exception cref="CliException">The example gives no steps (a text without tokens); the message names <paramref name="origin"/>.</exception>
    public abstract float[] Encode(T example, string origin);

    /// <summary>The input steps of every example.</summary>
    public float[][] Encode(Examples<T> examples) => examples.Inputs.Select((x, i) => Encode(x, examples.Origins[i])).ToArray();
}

/// <summary>How a text column is read: which column, as words or characters, how big the embedding, which tokens are kept.</summary>
internal sealed record TextOptions(string Column, string Tokens, int Embedding, int MinFrequency);

/// <summary>
/// Texts read as lower-cased words or as characters (DNA, names): token ids through an embedding. Words seen fewer
/// than the minimum frequency in the training split become &lt;unk&gt;.
/// </summary>
internal sealed class TextInput(Tokenizer tokenizer, string column, int embedding) : ClassifierInput<string>
{
    public const string Name = "text";

    public Tokenizer Tokenizer => tokenizer;

    /// <summary>The CSV or TSV column holding the text.</summary>
    public string Column => column;

    public override int Features => 0;

    public override string FrontName => Invariant($"Embedding({tokenizer.Vocabulary.Count}, {embedding})");

    /// <summary>Builds the vocabulary of the training texts.</summary>
    public static TextInput Fit(TextOptions options, Examples<string> train)
    {
        var vocabulary = new VocabularyOptions { MinFrequency = options.MinFrequency };
        Tokenizer tokenizer = options.Tokens == "char" ? CharTokenizer.Build(train.Inputs, options: vocabulary) : WordTokenizer.Build(train.Inputs, options: vocabulary);
        return new TextInput(tokenizer, options.Column, options.Embedding);
    }

    public override float[] Encode(string example, string origin)
    {
        var ids = tokenizer.Encode(example);
        return ids.Length > 0 ? ids.Select(id => (float)id).ToArray() : throw new CliException($"{origin}: the text '{example}' has no tokens");
    }

    public override (Input Input, Layer[] Layers, int Width) Front(Rng rng) =>
        (new Input(-1), [new Embedding(tokenizer.Vocabulary.Count, embedding, seed: rng.NextUInt64())], embedding);

    public override string Summary(float[][] train)
    {
        long tokenCount = train.Sum(s => (long)s.Length), unknown = train.Sum(s => (long)s.Count(id => id == Vocabulary.UnknownId));
        string unit = tokenizer is CharTokenizer ? "chars" : "words";
        return Invariant($"  tokens    {unit}, vocabulary {tokenizer.Vocabulary.Count:N0} ({tokenizer.Vocabulary.SpecialCount} special); {unknown:N0} of {tokenCount:N0} training tokens ({(double)unknown / tokenCount:P1}) read as <unk>; length {train.Min(s => s.Length)}-{train.Max(s => s.Length)}, mean {(double)tokenCount / train.Length:F1}");
    }

    /// <summary>Counts of words, or of character 1- to 3-grams (k-mers).</summary>
    public override BaselineFeatures Baseline(float[][] train)
    {
        int maxN = tokenizer is CharTokenizer ? 3 : 1;
        var bag = new BagOfNGrams(maxN, train.Select(Ids));
        return new("bag-of-words logistic regression", maxN == 1 ? "word counts" : $"counts of character 1- to {maxN}-grams", bag.FeatureCount, s => bag.Features(Ids(s)));
    }

    public override JsonObject ToJson() => Tagged(Name, new JsonObject
    {
        ["tokenizer"] = tokenizer.ToJson(),
        ["text_column"] = column,
    });

    public static TextInput FromExtras(LoadedModel loaded, string path)
    {
        var tokenizer = ModelStore.Tokenizer(loaded, path) ?? throw new InvalidDataException($"{path}: the file holds no tokenizer");
        var embedding = loaded.Model.Layers.OfType<Embedding>().SingleOrDefault() ?? throw new InvalidDataException($"{path}: the text classifier has no embedding layer; the file was altered");
        if (embedding.NumEmbeddings != tokenizer.Vocabulary.Count)
        {
            throw new InvalidDataException($"{path}: the saved vocabulary ({tokenizer.Vocabulary.Count}) does not fit the embedding ({embedding.NumEmbeddings}); the file was altered");
        }

        return new TextInput(tokenizer, Text(loaded.Extras, "text_column", path), embedding.EmbeddingDim);
    }

    private static int[] Ids(float[] sequence) => sequence.Select(v => (int)v).ToArray();
}

/// <summary>
/// Numeric CSV columns read as a sequence: the C feature columns, in their given order, are <c>steps</c> steps of
/// F = C / steps values each, step after step (the 64 pixels p{row}_{col} of an 8x8 digit: 8 rows of 8). Each of
/// the F features is standardised with its mean and deviation over every step of the training split.
/// </summary>
internal sealed class NumericInput(string[] columns, int steps, StandardScaler scaler) : ClassifierInput<float[]>
{
    public const string Name = "numeric";

    /// <summary>The feature columns, step by step.</summary>
    public IReadOnlyList<string> Columns => columns;

    public int Steps => steps;

    public override int Features => columns.Length / steps;

    public override string FrontName => Invariant($"{steps} x {Features} values");

    /// <summary>Fits the scaler on the training rows.</summary>
    public static NumericInput Fit(string[] columns, int steps, Examples<float[]> train)
    {
        var scaler = new StandardScaler();
        scaler.Fit(Tensor.FromValues([.. train.Inputs.SelectMany(row => row)], train.Count * steps, columns.Length / steps));
        return new NumericInput(columns, steps, scaler);
    }

    public override float[] Encode(float[] example, string origin) =>
        scaler.Transform(Tensor.FromValues(example, steps, Features)).Span.ToArray();

    public override (Input Input, Layer[] Layers, int Width) Front(Rng rng) => (new Input(-1, Features), [], Features);

    public override string Summary(float[][] train) => Invariant(
        $"  inputs    {columns.Length} numeric columns ({columns[0]} .. {columns[^1]}) as {steps} steps of {Features}, each of the {Features} standardised with the training split's mean and deviation");

    /// <summary>The standardised values the network reads, flattened.</summary>
    public override BaselineFeatures Baseline(float[][] train) => new("logistic regression", "standardised values", columns.Length, s => SparseVector.FromDense(s));

    public override JsonObject ToJson() => Tagged(Name, new JsonObject
    {
        ["columns"] = new JsonArray([.. columns.Select(c => JsonValue.Create(c))]),
        ["steps"] = steps,
        ["scaler"] = scaler.ToJson(),
    });

    public static NumericInput FromExtras(LoadedModel loaded, string path)
    {
        try
        {
            var extras = loaded.Extras;
            string[] columns = [.. extras["columns"]!.AsArray().Select(c => c!.GetValue<string>())];
            int steps = extras["steps"]!.GetValue<int>();
            var scaler = StandardScaler.FromJson(extras["scaler"]!.GetValue<string>());
            if (steps < 1 || columns.Length % steps != 0 || scaler.FeatureCount != columns.Length / steps)
            {
                throw new FormatException($"{columns.Length} columns, {steps} steps and a scaler of {scaler.FeatureCount} features do not fit together");
            }

            return new NumericInput(columns, steps, scaler);
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: the saved numeric columns, steps or scaler are missing or malformed: {e.Message}", e);
        }
    }
}
