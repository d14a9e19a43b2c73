using System.Globalization;
using System.Text;

namespace Recur.Data;

/// <summary>
/// Words and punctuation: a word is a run of letters, digits and marks, with apostrophes inside it ("don't");
/// every other visible character is a token of its own; white space separates. "The cat, chased." gives
/// the, cat, ",", chased, "." (with lower-casing). Decoding joins with spaces but attaches closing punctuation
/// to the word before it, so it gives back "the cat, chased." (white space is not kept exactly).
/// </summary>
public sealed class WordTokenizer : Tokenizer
{
    internal const string Type = "word";

    /// <summary>A tokenizer over an existing vocabulary of words.</summary>
    public WordTokenizer(Vocabulary vocabulary, bool lowerCase = true)
        : base(vocabulary, lowerCase)
    {
    }

    /// <summary>Builds the vocabulary from the words of <paramref name="corpus"/>.</summary>
    public static WordTokenizer Build(IEnumerable<string> corpus, bool lowerCase = true, VocabularyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        var splitter = new WordTokenizer(new Vocabulary([]), lowerCase);
        return new WordTokenizer(Vocabulary.Build(corpus.SelectMany(splitter.Split), options), lowerCase);
    }

    private protected override string TypeName => Type;

    private protected override IReadOnlyList<string> SplitNormalized(string text)
    {
        var tokens = new List<string>();
        var word = new StringBuilder();
        var runes = text.EnumerateRunes().ToArray();
        for (int i = 0; i < runes.Length; i++)
        {
            Rune r = runes[i];
            // An apostrophe between two word characters belongs to the word ("don't", "o'clock").
            bool inWordApostrophe = IsApostrophe(r) && word.Length > 0 && i + 1 < runes.Length && IsWordRune(runes[i + 1]);
            if (IsWordRune(r) || inWordApostrophe)
            {
                word.Append(r.ToString());
                continue;
            }

            Flush(word, tokens);
            if (!Rune.IsWhiteSpace(r) && !Rune.IsControl(r))
            {
                tokens.Add(r.ToString());
            }
        }

        Flush(word, tokens);
        return tokens;
    }

    private protected override string Join(IReadOnlyList<string> tokens)
    {
        var text = new StringBuilder();
        for (int i = 0; i < tokens.Count; i++)
        {
            bool glue = i == 0 || AttachesLeft(tokens[i]) || OpensRight(tokens[i - 1]);
            if (!glue)
            {
                text.Append(' ');
            }

            text.Append(tokens[i]);
        }

        return text.ToString();
    }

    private static bool IsWordRune(Rune r) =>
        Rune.IsLetterOrDigit(r) || Rune.GetUnicodeCategory(r) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;

    private static bool IsApostrophe(Rune r) => r.Value is '\'' or '\u2019';

    private static bool AttachesLeft(string token) => token is "," or "." or "!" or "?" or ";" or ":" or ")" or "]" or "}" or "%";

    private static bool OpensRight(string token) => token is "(" or "[" or "{" or "$";

    private static void Flush(StringBuilder word, List<string> tokens)
    {
        if (word.Length > 0)
        {
            tokens.Add(word.ToString());
            word.Clear();
        }
    }
}
