using Recur.Data;
using Recur.Tensors;

namespace Recur.Tests.Data;

public sealed class SplitsTests
{
    [Fact]
    public void Chronological_split_keeps_time_order_and_every_row()
    {
        var series = CsvReader.Read(DataTestFiles.AirPassengers).Values;

        var split = Splits.Chronological(series, 0.7, 0.15);

        Assert.Equal((101, 22, 21), (split.Train.Dim(0), split.Validation.Dim(0), split.Test.Dim(0)));
        float[] joined = [.. split.Train.Span, .. split.Validation.Span, .. split.Test.Span];
        Assert.Equal(series.Span.ToArray(), joined);
        Assert.True(split.Train[100, 0] <= split.Validation[0, 0]); // years never go back
    }

    [Fact]
    public void Chronological_split_by_counts()
    {
        var series = Tensor.FromValues([0, 1, 2, 3, 4, 5], 6);

        var split = Splits.Chronological(series, 3, 2);

        Assert.Equal([0f, 1, 2], split.Train.Span.ToArray());
        Assert.Equal([3f, 4], split.Validation.Span.ToArray());
        Assert.Equal([5f], split.Test.Span.ToArray());
        Assert.Throws<ArgumentException>(() => Splits.Chronological(series, 5, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Splits.Chronological(series, 0.8, 0.3));
    }

    [Fact]
    public void Shuffled_split_is_a_seeded_partition()
    {
        var a = Splits.Shuffled(100, 0.8, 0.1, seed: 1);
        var b = Splits.Shuffled(100, 0.8, 0.1, seed: 1);
        var c = Splits.Shuffled(100, 0.8, 0.1, seed: 2);

        Assert.Equal((80, 10, 10), (a.Train.Length, a.Validation.Length, a.Test.Length));
        Assert.Equal(Enumerable.Range(0, 100), a.Train.Concat(a.Validation).Concat(a.Test).Order());
        Assert.Equal(a, b, new IndexSplitComparer());
        Assert.NotEqual(a.Train, c.Train);
        Assert.NotEqual(Enumerable.Range(0, 80), a.Train); // actually shuffled
    }

    [Fact]
    public void Stratified_split_keeps_label_proportions_in_every_part()
    {
        // Keep about one negative review in three: a 3:1 imbalance that a plain shuffle would not preserve exactly.
        var labels = LabelledSentences.Read(DataTestFiles.Amazon).Labels.Where((l, i) => l == 1 || i % 3 == 0).ToArray();
        double share = labels.Average();

        var split = Splits.Stratified(labels, 0.6, 0.2, seed: 3);

        Assert.Equal(Enumerable.Range(0, labels.Length), split.Train.Concat(split.Validation).Concat(split.Test).Order());
        foreach (var part in new[] { split.Train, split.Validation, split.Test })
        {
            int ones = part.Count(i => labels[i] == 1);
            Assert.InRange(ones, share * part.Length - 1, share * part.Length + 1);
        }

        Assert.NotEqual(split.Train.Select(i => labels[i]).Order(), split.Train.Select(i => labels[i])); // classes are mixed
    }

    [Fact]
    public void Take_rows_gathers_in_index_order()
    {
        var source = Tensor.FromValues([0, 1, 10, 11, 20, 21], 3, 2);

        Assert.Equal([20f, 21, 0, 1], Splits.TakeRows(source, [2, 0]).Span.ToArray());
        Assert.Equal(["c", "a"], Splits.Take(["a", "b", "c"], [2, 0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Splits.TakeRows(source, [3]));
    }

    private sealed class IndexSplitComparer : IEqualityComparer<IndexSplit>
    {
        public bool Equals(IndexSplit? x, IndexSplit? y) =>
            x!.Train.SequenceEqual(y!.Train) && x.Validation.SequenceEqual(y.Validation) && x.Test.SequenceEqual(y.Test);

        public int GetHashCode(IndexSplit obj) => obj.Train.Length;
    }
}
