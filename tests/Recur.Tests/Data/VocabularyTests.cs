using Recur.Data;

namespace Recur.Tests.Data;

public sealed class VocabularyTests
{
    private static readonly string[] Corpus = "b a c a b a d e e e e".Split(' ');

    [Fact]
    public void Special_tokens_take_the_first_ids()
    {
        var plain = Vocabulary.Build(Corpus);
        var markers = Vocabulary.Build(Corpus, new VocabularyOptions { SequenceMarkers = true });

        Assert.Equal(["<pad>", "<unk>"], plain.Tokens.Take(2));
        Assert.Equal(["<pad>", "<unk>", "<bos>", "<eos>"], markers.Tokens.Take(4));
        Assert.Equal((0, 1, 2, 3), (Vocabulary.PadId, Vocabulary.UnknownId, markers.BosId, markers.EosId));
        Assert.Throws<InvalidOperationException>(() => plain.BosId);
    }

    [Fact]
    public void Tokens_are_ordered_by_frequency_then_ordinally()
    {
        // e:4, a:3, b:2, then c and d once each: ordinal order c < d.
        var vocab = Vocabulary.Build(Corpus);

        Assert.Equal(["<pad>", "<unk>", "e", "a", "b", "c", "d"], vocab.Tokens);
    }

    [Fact]
    public void Order_does_not_depend_on_the_corpus_order()
    {
        var rng = new Rng(5);
        var shuffled = Corpus.OrderBy(_ => rng.NextDouble()).ToArray();

        Assert.Equal(Vocabulary.Build(Corpus).Tokens, Vocabulary.Build(shuffled).Tokens);
    }

    [Fact]
    public void Ties_use_ordinal_not_culture_order()
    {
        // Ordinal: 'B' (66) < 'a' (97); a culture-aware sort would put "a" first.
        var vocab = Vocabulary.Build(["a", "B"]);

        Assert.Equal(["B", "a"], vocab.Tokens.Skip(2));
    }

    [Fact]
    public void Max_size_counts_the_special_tokens_and_keeps_the_most_frequent()
    {
        var vocab = Vocabulary.Build(Corpus, new VocabularyOptions { MaxSize = 4 });

        Assert.Equal(["<pad>", "<unk>", "e", "a"], vocab.Tokens);
        Assert.Equal(Vocabulary.UnknownId, vocab.IdOf("b"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(Corpus, new VocabularyOptions { MaxSize = 3, SequenceMarkers = true }));
    }

    [Fact]
    public void Min_frequency_cuts_rare_tokens()
    {
        var vocab = Vocabulary.Build(Corpus, new VocabularyOptions { MinFrequency = 3 });

        Assert.Equal(["e", "a"], vocab.Tokens.Skip(2));
    }

    [Fact]
    public void Unknown_tokens_map_to_unk_and_decode_keeps_unk_but_drops_padding()
    {
        var vocab = Vocabulary.Build(Corpus, new VocabularyOptions { SequenceMarkers = true });

        var ids = vocab.Encode(["a", "zebra", "e"], addSequenceMarkers: true);

        Assert.Equal([vocab.BosId, vocab.IdOf("a"), Vocabulary.UnknownId, vocab.IdOf("e"), vocab.EosId], ids);
        Assert.Equal(["a", "<unk>", "e"], vocab.Decode([.. ids, 0, 0]));
        Assert.Equal(["<bos>", "a", "<unk>", "e", "<eos>", "<pad>"], vocab.Decode([.. ids, 0], keepSpecial: true));
    }

    [Fact]
    public void Corpus_tokens_spelled_like_special_tokens_are_not_added_twice()
    {
        var vocab = Vocabulary.Build(["<unk>", "<pad>", "x"]);

        Assert.Equal(["<pad>", "<unk>", "x"], vocab.Tokens);
    }

    [Fact]
    public void Explicit_token_lists_reject_duplicates_and_special_tokens()
    {
        Assert.Throws<ArgumentException>(() => new Vocabulary(["a", "a"]));
        Assert.Throws<ArgumentException>(() => new Vocabulary(["<pad>"]));
        Assert.Throws<ArgumentException>(() => new Vocabulary([""]));
    }

    [Fact]
    public void Token_of_an_out_of_range_id_throws()
    {
        var vocab = Vocabulary.Build(Corpus);

        Assert.Throws<ArgumentOutOfRangeException>(() => vocab.TokenOf(vocab.Count));
        Assert.Throws<ArgumentOutOfRangeException>(() => vocab.TokenOf(-1));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Json_round_trip_keeps_every_id(bool markers)
    {
        var vocab = Vocabulary.Build(["é", "\"quoted\"", "a", "😀", "a"], new VocabularyOptions { SequenceMarkers = markers });

        var back = Vocabulary.FromJson(vocab.ToJson());

        Assert.Equal(vocab.Tokens, back.Tokens);
        Assert.Equal(markers, back.HasSequenceMarkers);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{\"sequenceMarkers\":false}")]
    [InlineData("{\"sequenceMarkers\":false,\"tokens\":[\"<unk>\",\"<pad>\",\"a\"]}")]
    [InlineData("{\"sequenceMarkers\":false,\"tokens\":[\"<pad>\",\"<unk>\",\"a\",\"a\"]}")]
    [InlineData("{\"sequenceMarkers\":\"no\",\"tokens\":[\"<pad>\",\"<unk>\"]}")]
    [InlineData("not json")]
    public void Malformed_json_is_rejected(string json)
    {
        Assert.Throws<FormatException>(() => Vocabulary.FromJson(json));
    }
}
