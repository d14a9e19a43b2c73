using Recur.Data;

namespace Recur.Tests.Data;

public sealed class LabelledSentencesTests : IDisposable
{
    private readonly DataTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("amazon.tsv")]
    [InlineData("imdb.tsv")]
    public void Bundled_sentiment_files_have_1000_sentences_with_labels_0_and_1(string name)
    {
        string path = Path.Combine(DataTestFiles.Root, "sentiment", "uci-labelled", name);

        var data = LabelledSentences.Read(path);

        Assert.Equal(1000, data.Count);
        Assert.Equal(2, data.ClassCount);
        Assert.All(data.Labels, l => Assert.True(l is 0 or 1));
        Assert.Equal(500, data.Labels.Count(l => l == 1)); // SOURCE.txt: 500 positive / 500 negative
        Assert.All(data.Texts, t => Assert.False(string.IsNullOrWhiteSpace(t)));
        Assert.DoesNotContain(data.Texts, t => t.Contains('\t', StringComparison.Ordinal));
    }

    [Fact]
    public void Header_label_text_order_is_followed()
    {
        var data = LabelledSentences.Read(DataTestFiles.Amazon);

        Assert.Equal("Good case, Excellent value.", data.Texts[1]);
        Assert.Equal(1, data.Labels[1]);
        Assert.Equal(0, data.Labels[0]);
    }

    [Fact]
    public void Without_a_header_lines_are_text_tab_label_and_text_may_hold_tabs()
    {
        string path = _dir.Write("s.tsv", "good film\t1\nbad\tvery bad\t0\n\nok\t2\n");

        var data = LabelledSentences.Read(path);

        Assert.Equal(["good film", "bad\tvery bad", "ok"], data.Texts);
        Assert.Equal([1, 0, 2], data.Labels);
        Assert.Equal(3, data.ClassCount);
    }

    [Fact]
    public void Non_integer_label_names_the_line()
    {
        string path = _dir.Write("s.tsv", "text\tlabel\ngood\t1\nbad\tneg\n");

        var e = Assert.Throws<DataFormatException>(() => LabelledSentences.Read(path));

        Assert.StartsWith(path + ":3: ", e.Message);
        Assert.Contains("'neg'", e.Message);
    }

    [Fact]
    public void Line_without_a_tab_names_the_line()
    {
        string path = _dir.Write("s.tsv", "good\t1\nno tab here\n");

        var e = Assert.Throws<DataFormatException>(() => LabelledSentences.Read(path));

        Assert.StartsWith(path + ":2: ", e.Message);
    }

    [Fact]
    public void Empty_file_is_rejected()
    {
        var e = Assert.Throws<DataFormatException>(() => LabelledSentences.Read(_dir.Write("e.tsv", "")));

        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void Subset_and_label_tensor_follow_the_indices()
    {
        var data = new LabelledSentences(["a", "b", "c"], [0, 1, 2]);

        var subset = data.Subset([2, 0]);

        Assert.Equal(["c", "a"], subset.Texts);
        Assert.Equal([2f, 0f], subset.LabelTensor().Span.ToArray());
    }
}
