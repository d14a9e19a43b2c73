using Recur.Data;
using Recur.Tensors;

namespace Recur.Tests.Data;

public sealed class BatcherTests
{
    /// <summary>N samples: input row i is (i, -i), target row i is 10·i, so a batch shows which samples it holds.</summary>
    private static Batcher Make(int n, BatcherOptions options)
    {
        var inputs = new Tensor(n, 2);
        var targets = new Tensor(n, 1);
        for (int i = 0; i < n; i++)
        {
            (inputs[i, 0], inputs[i, 1], targets[i, 0]) = (i, -i, 10 * i);
        }

        return new Batcher(inputs, targets, options);
    }

    private static List<int[]> Order(Batcher batcher, int epoch) => batcher.Epoch(epoch).Select(b => b.Indices.ToArray()).ToList();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Every_sample_appears_once_per_epoch_with_its_own_target(bool shuffle)
    {
        var batcher = Make(23, new BatcherOptions { BatchSize = 5, Shuffle = shuffle, Seed = 4 });
        var seen = new List<int>();

        foreach (var batch in batcher.Epoch(0))
        {
            for (int k = 0; k < batch.Size; k++)
            {
                int i = (int)batch.Inputs[k, 0];
                Assert.Equal(batch.Indices[k], i);
                Assert.Equal(-i, batch.Inputs[k, 1]);
                Assert.Equal(10 * i, batch.Targets[k, 0]);
                seen.Add(i);
            }
        }

        Assert.Equal(Enumerable.Range(0, 23), seen.Order());
        Assert.Equal(5, batcher.BatchesPerEpoch);
        Assert.Equal(shuffle, !seen.SequenceEqual(Enumerable.Range(0, 23)));
    }

    [Fact]
    public void Same_seed_same_order_and_epochs_differ()
    {
        var a = Make(50, new BatcherOptions { BatchSize = 8, Seed = 7 });
        var b = Make(50, new BatcherOptions { BatchSize = 8, Seed = 7 });
        var c = Make(50, new BatcherOptions { BatchSize = 8, Seed = 8 });

        Assert.Equal(Order(a, 3), Order(b, 3));
        Assert.Equal(Order(a, 3), Order(a, 3)); // an epoch can be replayed, e.g. after resuming
        Assert.NotEqual(Order(a, 0), Order(a, 1));
        Assert.NotEqual(Order(a, 0), Order(c, 0));
    }

    [Fact]
    public void Drop_last_leaves_out_the_short_batch()
    {
        var keep = Make(23, new BatcherOptions { BatchSize = 5 });
        var drop = Make(23, new BatcherOptions { BatchSize = 5, DropLast = true });

        Assert.Equal([5, 5, 5, 5, 3], keep.Epoch(0).Select(b => b.Size));
        Assert.Equal([5, 5, 5, 5], drop.Epoch(0).Select(b => b.Size));
        Assert.Equal(4, drop.BatchesPerEpoch);
    }

    [Fact]
    public void Full_batches_reuse_one_buffer()
    {
        var batcher = Make(20, new BatcherOptions { BatchSize = 5 });

        var buffers = batcher.Epoch(0).Select(b => b.Inputs.Buffer).Distinct().Count();

        Assert.Equal(1, buffers);
    }

    [Fact]
    public void Windows_of_a_series_batch_with_their_shapes()
    {
        var w = SlidingWindows.Create(CsvReader.Read(DataTestFiles.AirPassengers, ["passengers"]).Values, 12, 1);
        var batcher = new Batcher(w.Inputs, w.Targets, new BatcherOptions { BatchSize = 32 });

        var first = batcher.Epoch(0).First();

        Assert.True(first.Inputs.HasShape(32, 12, 1));
        Assert.True(first.Targets.HasShape(32, 1, 1));
    }

    [Fact]
    public void Both_batchers_serve_a_loop_written_against_IBatcher()
    {
        IBatcher dense = Make(10, new BatcherOptions { BatchSize = 4 });
        IBatcher sequences = new SequenceBatcher([[1, 2], [3], [4, 5, 6]], new Tensor(3, 1), new SequenceBatcherOptions { BatchSize = 2 });

        static int[] Sizes(IBatcher batcher) => batcher.Epoch(0).Select(b => b.Inputs.Dim(0)).ToArray();
        static int LengthCount(IBatcher batcher) => batcher.Epoch(0).Sum(b => b.Lengths.Length);

        Assert.Equal([4, 4, 2], Sizes(dense));
        Assert.Equal([2, 1], Sizes(sequences));
        Assert.Equal(0, LengthCount(dense)); // fixed-shape samples carry no lengths
        Assert.Equal(3, LengthCount(sequences));
    }

    [Fact]
    public void Mismatched_sample_counts_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new Batcher(new Tensor(3, 2), new Tensor(4, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Batcher(new Tensor(3, 2), new Tensor(3, 1), new BatcherOptions { BatchSize = 0 }));
    }
}
