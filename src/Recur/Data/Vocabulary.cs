using System.Text.Json.Nodes;

namespace Recur.Data;

/// <summary>Options for <see cref="Vocabulary.Build"/>.</summary>
public sealed record VocabularyOptions
{
    /// <summary>
    /// The largest vocabulary, counting the special tokens (null: no limit). The most frequent tokens are kept;
    /// equal counts are ordered by ordinal string comparison so the result does not depend on the corpus order.
    /// </summary>
    public int? MaxSize { get; init; }

    /// <summary>Tokens seen fewer times than this are left out (they encode as &lt;unk&gt;).</summary>
    public int MinFrequency { get; init; } = 1;

    /// <summary>Whether to reserve &lt;bos&gt; and &lt;eos&gt; (ids 2 and 3), for encoder-decoders and generation.</summary>
    public bool SequenceMarkers { get; init; }
}

/// <summary>
/// A two-way map between tokens and ids 0 .. <see cref="Count"/>-1. The special tokens come first:
/// &lt;pad&gt; = 0 (so zero-filled batches are padding), &lt;unk&gt; = 1 (every token not in the vocabulary), and
/// optionally &lt;bos&gt; = 2 and &lt;eos&gt; = 3. Saved as JSON with the model so that ids mean the same tokens later.
/// </summary>
public sealed class Vocabulary
{
    /// <summary>The padding token.</summary>
    public const string PadToken = "<pad>";

    /// <summary>The token that stands for every token not in the vocabulary.</summary>
    public const string UnknownToken = "<unk>";

    /// <summary>The begin-of-sequence marker (only with sequence markers).</summary>
    public const string BosToken = "<bos>";

    /// <summary>The end-of-sequence marker (only with sequence markers).</summary>
    public const string EosToken = "<eos>";

    /// <summary>The id of &lt;pad&gt;.</summary>
    public const int PadId = 0;

    /// <summary>The id of &lt;unk&gt;.</summary>
    public const int UnknownId = 1;

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;

    /// <summary>
    /// A vocabulary of the special tokens followed by <paramref name="tokens"/> in the given order (ids 2 or 4 onwards).
    /// </summary>
    /// <exception cref="ArgumentException">A token is repeated, empty, or is one of the special tokens.</exception>
    public Vocabulary(IEnumerable<string> tokens, bool sequenceMarkers = false)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        string[] specials = sequenceMarkers ? [PadToken, UnknownToken, BosToken, EosToken] : [PadToken, UnknownToken];
        _tokens = [.. specials, .. tokens];
        _ids = new Dictionary<string, int>(_tokens.Length, StringComparer.Ordinal);
        for (int id = 0; id < _tokens.Length; id++)
        {
            string token = _tokens[id] ?? throw new ArgumentException($"Token {id - specials.Length} is null.", nameof(tokens));
            if (token.Length == 0)
            {
                throw new ArgumentException($"Token {id - specials.Length} is empty.", nameof(tokens));
            }

            if (!_ids.TryAdd(token, id))
            {
                string what = _ids[token] < specials.Length ? "is a reserved special token" : "appears twice";
                throw new ArgumentException($"Token '{token}' {what}.", nameof(tokens));
            }
        }

        HasSequenceMarkers = sequenceMarkers;
    }

    /// <summary>Number of tokens, special tokens included.</summary>
    public int Count => _tokens.Length;

    /// <summary>Every token, indexed by id.</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>Whether &lt;bos&gt; and &lt;eos&gt; are present.</summary>
    public bool HasSequenceMarkers { get; }

    /// <summary>Number of special tokens (2, or 4 with sequence markers); ordinary tokens start at this id.</summary>
    public int SpecialCount => HasSequenceMarkers ? 4 : 2;

    /// <summary>The id of &lt;bos&gt;.</summary>
    /// <exception cref="InvalidOperationException">The vocabulary has no sequence markers.</exception>
    public int BosId => HasSequenceMarkers ? 2 : throw NoMarkers();

    /// <summary>The id of &lt;eos&gt;.</summary>
    /// <exception cref="InvalidOperationException">The vocabulary has no sequence markers.</exception>
    public int EosId => HasSequenceMarkers ? 3 : throw NoMarkers();

    /// <summary>
    /// Builds a vocabulary from every token of a corpus: most frequent first, ties in ordinal order, tokens rarer than
    /// <see cref="VocabularyOptions.MinFrequency"/> left out, at most <see cref="VocabularyOptions.MaxSize"/> in all.
    /// Tokens spelled like a special token are not counted.
    /// </summary>
    public static Vocabulary Build(IEnumerable<string> corpusTokens, VocabularyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(corpusTokens);
        options ??= new VocabularyOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MinFrequency, 1, nameof(options.MinFrequency));
        int specials = options.SequenceMarkers ? 4 : 2;
        if (options.MaxSize is int max && max < specials)
        {
            throw new ArgumentOutOfRangeException(nameof(options), max,
                $"MaxSize {max} leaves no room for the {specials} special tokens.");
        }

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string token in corpusTokens)
        {
            if (token is not (PadToken or UnknownToken or BosToken or EosToken))
            {
                counts[token] = counts.GetValueOrDefault(token) + 1;
            }
        }

        var kept = counts
            .Where(kv => kv.Value >= options.MinFrequency)
            .OrderByDescending(kv => kv.Value)
            .ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => kv.Key);
        if (options.MaxSize is int limit)
        {
            kept = kept.Take(limit - specials);
        }

        return new Vocabulary(kept, options.SequenceMarkers);
    }

    /// <summary>The id of <paramref name="token"/>, or <see cref="UnknownId"/> if it is not in the vocabulary.</summary>
    public int IdOf(string token) => _ids.GetValueOrDefault(token, UnknownId);

    /// <summary>Whether <paramref name="token"/> has its own id.</summary>
    public bool Contains(string token) => _ids.ContainsKey(token);

    /// <summary>The token with id <paramref name="id"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The id is not in 0 .. Count-1.</exception>
    public string TokenOf(int id)
    {
        if ((uint)id >= (uint)_tokens.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Token ids run from 0 to {_tokens.Length - 1}.");
        }

        return _tokens[id];
    }

    /// <summary>Whether <paramref name="id"/> is a special token (&lt;pad&gt;, &lt;unk&gt;, &lt;bos&gt;, &lt;eos&gt;).</summary>
    public bool IsSpecial(int id) => (uint)id < (uint)SpecialCount;

    /// <summary>The ids of <paramref name="tokens"/>, optionally wrapped in &lt;bos&gt; … &lt;eos&gt;.</summary>
    public int[] Encode(IEnumerable<string> tokens, bool addSequenceMarkers = false)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var ids = new List<int>();
        if (addSequenceMarkers)
        {
            ids.Add(BosId);
        }

        foreach (string token in tokens)
        {
            ids.Add(IdOf(token));
        }

        if (addSequenceMarkers)
        {
            ids.Add(EosId);
        }

        return ids.ToArray();
    }

    /// <summary>
    /// The tokens of <paramref name="ids"/>. Padding and the sequence markers are dropped unless
    /// <paramref name="keepSpecial"/>; &lt;unk&gt; is always kept (it carries meaning: "some word was here").
    /// </summary>
    public string[] Decode(ReadOnlySpan<int> ids, bool keepSpecial = false)
    {
        var tokens = new List<string>(ids.Length);
        foreach (int id in ids)
        {
            if (keepSpecial || id == UnknownId || !IsSpecial(id))
            {
                tokens.Add(TokenOf(id));
            }
        }

        return tokens.ToArray();
    }

    /// <summary>The vocabulary as a JSON object: <c>{"sequenceMarkers": false, "tokens": ["&lt;pad&gt;", "&lt;unk&gt;", ...]}</c>.</summary>
    public string ToJson() => ToJsonNode().ToJsonString();

    /// <summary>Reads a vocabulary written by <see cref="ToJson"/>.</summary>
    /// <exception cref="FormatException">The JSON is not such an object, or its special tokens are not in place.</exception>
    public static Vocabulary FromJson(string json) => FromJsonNode(JsonFields.ParseObject(json, "vocabulary"));

    internal JsonObject ToJsonNode() => new()
    {
        ["sequenceMarkers"] = HasSequenceMarkers,
        ["tokens"] = new JsonArray(_tokens.Select(t => (JsonNode)JsonValue.Create(t)).ToArray()),
    };

    internal static Vocabulary FromJsonNode(JsonObject json)
    {
        bool markers = JsonFields.Get<bool>(json, "sequenceMarkers", "vocabulary");
        var tokens = JsonFields.GetArray<string>(json, "tokens", "vocabulary");
        string[] specials = markers ? [PadToken, UnknownToken, BosToken, EosToken] : [PadToken, UnknownToken];
        if (tokens.Length < specials.Length || !tokens.AsSpan(0, specials.Length).SequenceEqual(specials))
        {
            throw new FormatException(
                $"vocabulary: the tokens must start with {string.Join(", ", specials)}; got {string.Join(", ", tokens.Take(specials.Length))}.");
        }

        try
        {
            return new Vocabulary(tokens.Skip(specials.Length), markers);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"vocabulary: {e.Message}", e);
        }
    }

    private static InvalidOperationException NoMarkers() =>
        new("This vocabulary has no <bos>/<eos>; build it with VocabularyOptions.SequenceMarkers = true.");
}
