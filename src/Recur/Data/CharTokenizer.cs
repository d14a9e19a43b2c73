using System.Text;

namespace Recur.Data;

/// <summary>
/// One token per character (Unicode scalar value, so "é" and "😀" are one token each, never half a surrogate pair).
/// Decoding concatenates, so <c>Decode(Encode(text)) == text</c> whenever every character is in the vocabulary.
/// </summary>
public sealed class CharTokenizer : Tokenizer
{
    internal const string Type = "char";

    /// <summary>A tokenizer over an existing vocabulary of single characters.</summary>
    public CharTokenizer(Vocabulary vocabulary, bool lowerCase = false)
        : base(vocabulary, lowerCase)
    {
    }

    /// <summary>Builds the vocabulary from the characters of <paramref name="corpus"/>.</summary>
    public static CharTokenizer Build(IEnumerable<string> corpus, bool lowerCase = false, VocabularyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        var splitter = new CharTokenizer(new Vocabulary([]), lowerCase);
        return new CharTokenizer(Vocabulary.Build(corpus.SelectMany(splitter.Split), options), lowerCase);
    }

    private protected override string TypeName => Type;

    private protected override IReadOnlyList<string> SplitNormalized(string text)
    {
        var tokens = new List<string>(text.Length);
        foreach (Rune rune in text.EnumerateRunes())
        {
            tokens.Add(rune.ToString());
        }

        return tokens;
    }

    private protected override string Join(IReadOnlyList<string> tokens) => string.Concat(tokens);
}
