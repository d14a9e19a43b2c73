using Recur.Data;

namespace Recur.Tests.Data;

public sealed class SequenceBatcherTests
{
    private static (int[][] Sequences, LabelledSentences Data) Sentiment()
    {
        var data = LabelledSentences.Read(DataTestFiles.Imdb);
        var tokenizer = WordTokenizer.Build(data.Texts);
        return (data.Texts.Select(t => tokenizer.Encode(t)).ToArray(), data);
    }

    /// <summary>Padding steps over one epoch: Σ over batches of B·T - Σ lengths.</summary>
    private static long PaddingSteps(SequenceBatcher batcher, int epoch) =>
        batcher.Epoch(epoch).Sum(b => (long)b.Size * b.Length - b.Lengths.ToArray().Sum());

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_sentence_appears_once_with_its_label_ids_and_length(bool bucketing)
    {
        var (sequences, data) = Sentiment();
        var batcher = new SequenceBatcher(sequences, data.LabelTensor(),
            new SequenceBatcherOptions { BatchSize = 16, Bucketing = bucketing, BucketBatches = 4, Seed = 1 });
        var seen = new List<int>();

        foreach (var batch in batcher.Epoch(0))
        {
            Assert.True(batch.Inputs.HasShape(batch.Size, batch.Length));
            Assert.Equal(batch.Lengths.ToArray().Max(), batch.Length);
            for (int b = 0; b < batch.Size; b++)
            {
                int i = batch.Indices[b];
                seen.Add(i);
                Assert.Equal(data.Labels[i], batch.Targets[b]);
                Assert.Equal(sequences[i].Length, batch.Lengths[b]);
                Assert.Equal(sequences[i], batch.Ids.Slice(b * batch.Length, sequences[i].Length).ToArray());
                Assert.All(batch.Ids.Slice(b * batch.Length + sequences[i].Length, batch.Length - sequences[i].Length).ToArray(), id => Assert.Equal(0, id));
                Assert.Equal(sequences[i][0], batch.Inputs[b, 0]);
            }
        }

        Assert.Equal(Enumerable.Range(0, 1000), seen.Order());
        Assert.Equal(63, batcher.BatchesPerEpoch);
    }

    [Fact]
    public void Bucketing_reduces_padding_on_the_sentiment_data()
    {
        var (sequences, data) = Sentiment();
        var random = new SequenceBatcher(sequences, data.LabelTensor(), new SequenceBatcherOptions { BatchSize = 32, Seed = 2 });
        var bucketed = new SequenceBatcher(sequences, data.LabelTensor(), new SequenceBatcherOptions { BatchSize = 32, Seed = 2, Bucketing = true });

        long randomPadding = PaddingSteps(random, 0);
        long bucketedPadding = PaddingSteps(bucketed, 0);

        // IMDB sentences run from 1 to over 100 words: random batches pad to their longest member, most steps are padding.
        Assert.True(bucketedPadding * 4 < randomPadding, $"bucketed {bucketedPadding} vs random {randomPadding} padding steps");
    }

    [Fact]
    public void Bucketed_batches_still_come_in_a_seeded_random_order()
    {
        var (sequences, data) = Sentiment();
        SequenceBatcher Make(ulong seed) => new(sequences, data.LabelTensor(), new SequenceBatcherOptions { BatchSize = 32, Seed = seed, Bucketing = true });
        List<int[]> Order(SequenceBatcher s, int epoch) => s.Epoch(epoch).Select(b => b.Indices.ToArray()).ToList();

        var lengths = Make(5).Epoch(0).Select(b => b.Length).ToList();

        Assert.NotEqual(lengths.Order(), lengths); // not simply shortest to longest
        Assert.Equal(Order(Make(5), 1), Order(Make(5), 1));
        Assert.NotEqual(Order(Make(5), 1), Order(Make(6), 1));
        Assert.NotEqual(Order(Make(5), 0), Order(Make(5), 1));
    }

    [Fact]
    public void Target_sequences_are_padded_to_their_own_length()
    {
        int[][] inputs = [[1, 2, 3], [4], [5, 6]];
        int[][] targets = [[7], [8, 9, 10, 11], [12, 13]];
        var batcher = new SequenceBatcher(inputs, targets, new SequenceBatcherOptions { BatchSize = 3, Shuffle = false });

        var batch = batcher.Epoch(0).Single();

        Assert.Equal((3, 4), (batch.Length, batch.TargetLength));
        Assert.Equal([7, 0, 0, 0, 8, 9, 10, 11, 12, 13, 0, 0], batch.TargetIds.ToArray());
        Assert.Equal([1, 4, 2], batch.TargetLengths.ToArray());
        Assert.True(batch.Targets.HasShape(3, 4));
        Assert.Equal(11f, batch.Targets[1, 3]);
    }

    [Fact]
    public void Max_length_caps_t_with_the_chosen_truncation_and_drop_last_applies()
    {
        int[][] inputs = [[1, 2, 3, 4], [5], [6, 7], [8, 9, 10]];
        var options = new SequenceBatcherOptions
        {
            BatchSize = 3,
            Shuffle = false,
            DropLast = true,
            Padding = new PaddingOptions { MaxLength = 2, Truncating = PadSide.Pre, Padding = PadSide.Pre },
        };
        var batcher = new SequenceBatcher(inputs, new Recur.Tensors.Tensor(4, 1), options);

        var batches = batcher.Epoch(0).Select(b => (b.Ids.ToArray(), b.Lengths.ToArray())).ToList();

        var (ids, lengths) = Assert.Single(batches);
        Assert.Equal([3, 4, 0, 5, 6, 7], ids);
        Assert.Equal([2, 1, 2], lengths);
    }

    [Fact]
    public void Mismatched_counts_and_null_sequences_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new SequenceBatcher([[1]], new Recur.Tensors.Tensor(2)));
        Assert.Throws<ArgumentException>(() => new SequenceBatcher([[1], [2]], [[1]]));
        Assert.Throws<ArgumentException>(() => new SequenceBatcher([[1], null!], new Recur.Tensors.Tensor(2)));
    }
}
