using Recur.Data;

namespace Recur.Tests.Data;

public sealed class TokenizerTests
{
    [Fact]
    public void Words_and_punctuation_are_separate_tokens()
    {
        var tokenizer = WordTokenizer.Build(["The cat, chased."]);

        Assert.Equal(["the", "cat", ",", "chased", "."], tokenizer.Split("The cat, chased."));
    }

    [Fact]
    public void Apostrophes_inside_words_stay_and_others_split()
    {
        var tokenizer = WordTokenizer.Build([]);

        Assert.Equal(["don't", "'", "quote", "'", "slow", "-", "moving", "!", "!"], tokenizer.Split("Don't 'quote' slow-moving!!"));
    }

    [Fact]
    public void Lower_casing_is_optional()
    {
        var cased = WordTokenizer.Build(["The the"], lowerCase: false);
        var lower = WordTokenizer.Build(["The the"]);

        Assert.Equal(["The", "the"], cased.Split("The the"));
        Assert.Equal(4, cased.Vocabulary.Count);
        Assert.Equal(3, lower.Vocabulary.Count);
    }

    [Fact]
    public void Word_round_trip_rebuilds_the_normalised_sentence()
    {
        var tokenizer = WordTokenizer.Build(["The cat, chased (the) dog."]);

        var ids = tokenizer.Encode("The cat, chased (the) dog.");

        Assert.Equal("the cat, chased (the) dog.", tokenizer.Decode(ids));
    }

    [Fact]
    public void Unknown_words_encode_as_unk_and_decode_as_unk()
    {
        var tokenizer = WordTokenizer.Build(["the cat sat"]);

        var ids = tokenizer.Encode("The dog sat");

        Assert.Equal([tokenizer.Vocabulary.IdOf("the"), Vocabulary.UnknownId, tokenizer.Vocabulary.IdOf("sat")], ids);
        Assert.Equal("the <unk> sat", tokenizer.Decode(ids));
    }

    [Fact]
    public void Char_round_trip_is_exact_including_surrogate_pairs()
    {
        const string text = "Héllo, wörld 😀!\n";
        var tokenizer = CharTokenizer.Build([text]);

        var ids = tokenizer.Encode(text);

        Assert.Equal(text.EnumerateRunes().Count(), ids.Length);
        Assert.DoesNotContain(Vocabulary.UnknownId, ids);
        Assert.Equal(text, tokenizer.Decode(ids));
    }

    [Fact]
    public void Char_tokenizer_maps_unseen_characters_to_unk_and_wraps_markers()
    {
        var tokenizer = CharTokenizer.Build(["abc"], options: new VocabularyOptions { SequenceMarkers = true });

        var ids = tokenizer.Encode("abz", addSequenceMarkers: true);

        Assert.Equal(tokenizer.Vocabulary.BosId, ids[0]);
        Assert.Equal(Vocabulary.UnknownId, ids[3]);
        Assert.Equal(tokenizer.Vocabulary.EosId, ids[^1]);
        Assert.Equal("ab<unk>", tokenizer.Decode(ids));
    }

    [Fact]
    public void Sentiment_corpus_vocabulary_respects_the_size_limit()
    {
        var texts = LabelledSentences.Read(DataTestFiles.Amazon).Texts;

        var tokenizer = WordTokenizer.Build(texts, options: new VocabularyOptions { MaxSize = 500 });
        var again = WordTokenizer.Build(texts.Reverse(), options: new VocabularyOptions { MaxSize = 500 });

        Assert.Equal(500, tokenizer.Vocabulary.Count);
        Assert.Equal(tokenizer.Vocabulary.Tokens, again.Vocabulary.Tokens);
        Assert.Equal(".", tokenizer.Vocabulary.TokenOf(2)); // nearly every review ends with a full stop
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Json_round_trip_restores_kind_case_and_vocabulary(bool word)
    {
        string[] corpus = ["The cat, chased.", "A Dog!"];
        Tokenizer tokenizer = word ? WordTokenizer.Build(corpus, lowerCase: false) : CharTokenizer.Build(corpus, lowerCase: true);

        var back = Tokenizer.FromJson(tokenizer.ToJson());

        Assert.IsType(tokenizer.GetType(), back);
        Assert.Equal(tokenizer.LowerCase, back.LowerCase);
        Assert.Equal(tokenizer.Vocabulary.Tokens, back.Vocabulary.Tokens);
        Assert.Equal(tokenizer.Encode("The dog, a cat."), back.Encode("The dog, a cat."));
    }

    [Fact]
    public void Json_of_another_kind_is_rejected()
    {
        Assert.Throws<FormatException>(() => Tokenizer.FromJson("{\"type\":\"bpe\",\"lowerCase\":true,\"vocabulary\":{\"sequenceMarkers\":false,\"tokens\":[\"<pad>\",\"<unk>\"]}}"));
        Assert.Throws<FormatException>(() => Tokenizer.FromJson("{\"type\":\"standard\",\"mean\":[0],\"std\":[1]}"));
    }
}
