using System.Text.Json.Nodes;

namespace Recur.Data;

/// <summary>
/// Turns text into token ids through a <see cref="Data.Vocabulary"/> and back. Subclasses decide what a token is
/// (<see cref="CharTokenizer"/>: a character; <see cref="WordTokenizer"/>: a word or punctuation mark).
/// </summary>
public abstract class Tokenizer
{
    private protected Tokenizer(Vocabulary vocabulary, bool lowerCase)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        Vocabulary = vocabulary;
        LowerCase = lowerCase;
    }

    /// <summary>The token ↔ id map.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>Whether text is lower-cased (invariant culture) before it is split.</summary>
    public bool LowerCase { get; }

    /// <summary>The tokens of <paramref name="text"/>, after lower-casing if <see cref="LowerCase"/>.</summary>
    public IReadOnlyList<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return SplitNormalized(LowerCase ? text.ToLowerInvariant() : text);
    }

    /// <summary>The ids of <paramref name="text"/>'s tokens (unknown tokens become &lt;unk&gt;), optionally wrapped in &lt;bos&gt; … &lt;eos&gt;.</summary>
    public int[] Encode(string text, bool addSequenceMarkers = false) => Vocabulary.Encode(Split(text), addSequenceMarkers);

    /// <summary>The text of <paramref name="ids"/>; padding and sequence markers are dropped, &lt;unk&gt; is kept.</summary>
    public string Decode(ReadOnlySpan<int> ids) => Join(Vocabulary.Decode(ids));

    /// <summary>The tokenizer, with its vocabulary, as JSON (read it back with <see cref="FromJson"/>).</summary>
    public string ToJson() => new JsonObject
    {
        ["type"] = TypeName,
        ["lowerCase"] = LowerCase,
        ["vocabulary"] = Vocabulary.ToJsonNode(),
    }.ToJsonString();

    /// <summary>Reads a tokenizer written by <see cref="ToJson"/>, of whichever kind it was.</summary>
    /// <exception cref="FormatException">The JSON is not a tokenizer.</exception>
    public static Tokenizer FromJson(string json)
    {
        var obj = JsonFields.ParseObject(json, "tokenizer");
        string type = JsonFields.Get<string>(obj, "type", "tokenizer");
        bool lowerCase = JsonFields.Get<bool>(obj, "lowerCase", "tokenizer");
        var vocabulary = Vocabulary.FromJsonNode(JsonFields.GetObject(obj, "vocabulary", "tokenizer"));
        return type switch
        {
            CharTokenizer.Type => new CharTokenizer(vocabulary, lowerCase),
            WordTokenizer.Type => new WordTokenizer(vocabulary, lowerCase),
            _ => throw new FormatException($"tokenizer: unknown type '{type}'; expected '{CharTokenizer.Type}' or '{WordTokenizer.Type}'."),
        };
    }

    private protected abstract string TypeName { get; }

    /// <summary>Splits text that is already lower-cased if needed.</summary>
    private protected abstract IReadOnlyList<string> SplitNormalized(string text);

    /// <summary>Joins decoded tokens back into text.</summary>
    private protected abstract string Join(IReadOnlyList<string> tokens);
}
