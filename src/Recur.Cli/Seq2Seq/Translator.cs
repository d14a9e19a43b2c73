using System.Text.Json.Nodes;
using Recur.Cli.Common;
using Recur.Cli.Text;
using Recur.Data;
using Recur.Layers;
using Recur.Models;

namespace Recur.Cli.Seq2Seq;

/// <summary>What a token is on one side of the pairs: <c>--source-tokens</c> / <c>--target-tokens</c>.</summary>
internal enum TokenUnit
{
    Char,
    Word,
}

/// <summary>A decoded output: its text and total log-probability (natural log).</summary>
internal sealed record Translation(string Text, string[] Tokens, double LogProbability);

/// <summary>
/// An <see cref="EncoderDecoder"/> with the tokenizers of both sides: encodes a source text, decodes greedily or by
/// beam search, and saves the tokenizers, the decoding length limit and the source order beside the weights.
/// </summary>
/// <param name="network">The encoder-decoder.</param>
/// <param name="source">Tokenizer of the source side (no sequence markers).</param>
/// <param name="target">Tokenizer of the target side, with &lt;bos&gt; and &lt;eos&gt;.</param>
/// <param name="maxLength">Decoding stops after this many tokens if &lt;eos&gt; has not come.</param>
/// <param name="reverseSource">
/// Whether the encoder reads the source backwards (Sutskever et al., 2014): the first target tokens, which usually
/// copy the first source tokens, are then a few steps from the decoder's start rather than the whole source away.
/// </param>
internal sealed class Translator(EncoderDecoder network, Tokenizer source, Tokenizer target, int maxLength, bool reverseSource)
{
    public const string Kind = "seq2seq";

    // The source tokenizer goes under the usual key, so 'recur info' shows its vocabulary.
    private const string SourceKey = "tokenizer", TargetKey = "target_tokenizer", MaxLengthKey = "max_length", ReverseKey = "reverse_source";

    /// <summary>Builds a tokenizer of <paramref name="unit"/>s over <paramref name="texts"/>; the target side gets &lt;bos&gt;/&lt;eos&gt;.</summary>
    public static Tokenizer BuildTokenizer(TokenUnit unit, IEnumerable<string> texts, bool sequenceMarkers)
    {
        // Case is kept on both sides: an inflection or a pronunciation is matched exactly.
        var options = new VocabularyOptions { SequenceMarkers = sequenceMarkers };
        return unit == TokenUnit.Word
            ? WordTokenizer.Build(texts, lowerCase: false, options)
            : CharTokenizer.Build(texts, lowerCase: false, options);
    }

    /// <summary>What <see cref="Load"/> needs besides the weights.</summary>
    public JsonObject Extras() => new()
    {
        [SourceKey] = source.ToJson(),
        [TargetKey] = target.ToJson(),
        [MaxLengthKey] = maxLength,
        [ReverseKey] = reverseSource,
    };

    /// <summary>Loads a model saved by <c>recur seq2seq train</c>, checking that its tokenizers fit its embeddings.</summary>
    public static Translator Load(string path)
    {
        var loaded = ModelStore.Load(path, Kind);
        var network = EncoderDecoder.FromModel(loaded.Model);
        var source = ModelStore.Tokenizer(loaded, path, SourceKey) ?? throw new InvalidDataException($"{path}: the file holds no source tokenizer");
        var target = ModelStore.Tokenizer(loaded, path, TargetKey) ?? throw new InvalidDataException($"{path}: the file holds no target tokenizer");
        foreach (var (tokenizer, layer) in new[] { (source, "source_embedding"), (target, "target_embedding") })
        {
            int expected = ((Embedding)loaded.Model.GetLayer(layer)).NumEmbeddings;
            if (tokenizer.Vocabulary.Count != expected)
            {
                throw new InvalidDataException(
                    $"{path}: the saved vocabulary has {tokenizer.Vocabulary.Count} tokens but the {layer} was built for {expected}; the file was altered");
            }
        }

        int maxLength = loaded.Extras[MaxLengthKey] is JsonValue v && v.TryGetValue(out int n) && n > 0
            ? n : throw new InvalidDataException($"{path}: the file holds no decoding length limit ('{MaxLengthKey}')");
        bool reverse = loaded.Extras[ReverseKey] is JsonValue r && r.TryGetValue(out bool b) ? b
            : throw new InvalidDataException($"{path}: the file does not say in which order the source is read ('{ReverseKey}')");
        return new Translator(network, source, target, maxLength, reverse);
    }

    /// <summary>
    /// The source ids of <paramref name="text"/> typed by a user: unknown tokens are read as &lt;unk&gt; with a warning on
    /// <paramref name="error"/>; a text with no known token is an error.
    /// </summary>
    public int[] EncodeInput(string text, TextWriter error) => Ordered(LanguageModel.EncodePrompt(source, text, $"'{text}'", error));

    /// <summary>The source ids of <paramref name="text"/> from the data, in the order the encoder reads them (unknown tokens: &lt;unk&gt;).</summary>
    public int[] SourceIds(string text) => Ordered(source.Encode(text));

    private int[] Ordered(int[] ids)
    {
        if (reverseSource)
        {
            Array.Reverse(ids);
        }

        return ids;
    }

    /// <summary>The <paramref name="beam"/> best outputs for <paramref name="sourceIds"/>, best first (beam 1: greedy).</summary>
    public IReadOnlyList<Translation> Translate(int[] sourceIds, int beam)
    {
        var vocabulary = target.Vocabulary;
        return network.Beam(sourceIds, beam, vocabulary.BosId, vocabulary.EosId, maxLength)
            .Select(h => new Translation(target.Decode(h.Tokens), vocabulary.Decode(h.Tokens), h.LogProbability))
            .ToList();
    }

    /// <summary>Whether <paramref name="output"/> is exactly <paramref name="expected"/>, token for token.</summary>
    public bool Matches(Translation output, string expected) => output.Tokens.SequenceEqual(target.Split(expected));

    /// <summary>Whether the target text <paramref name="output"/> is exactly <paramref name="expected"/>, token for token.</summary>
    public bool Matches(string output, string expected) => target.Split(output).SequenceEqual(target.Split(expected));
}
