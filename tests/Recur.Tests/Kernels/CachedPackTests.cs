using Recur.Kernels;
using Recur.Layers;
using Recur.Tensors;

namespace Recur.Tests.Kernels;

public class CachedPackTests
{
    [Fact]
    public void It_repacks_exactly_when_a_value_changed()
    {
        var cache = new CachedPack();
        var w = Enumerable.Range(0, 6 * 4).Select(i => (float)i).ToArray();
        var first = cache.Get(w, 4, true, 4, 6);
        var a = Enumerable.Range(0, 2 * 4).Select(i => 1f + i).ToArray();
        var c1 = new float[2 * 6];
        Gemm.Multiply(a, 4, false, first, 2, c1, 6, accumulate: false);

        w[23] += 1f; // a direct write, as a user or a finite-difference check would do
        var c2 = new float[2 * 6];
        Gemm.Multiply(a, 4, false, cache.Get(w, 4, true, 4, 6), 2, c2, 6, accumulate: false);
        var expected = new float[2 * 6];
        GemmReference.Multiply(a, 4, false, w, 4, true, 2, 6, 4, expected, 6, accumulate: false);
        Assert.Equal(expected, c2);
        Assert.NotEqual(c1, c2);
    }

    [Fact]
    public void A_large_weight_is_compared_in_parallel_parts_and_a_change_in_any_part_is_seen()
    {
        const int k = 256, n = 512; // 128K values: the comparison is split across the workers
        var snapshot = new WeightSnapshot();
        var w = Enumerable.Range(0, k * n).Select(i => (float)Math.Sin(i)).ToArray();
        snapshot.Remember(w);
        Assert.True(snapshot.Matches(w));
        foreach (int index in new[] { 0, k * n / 2 + 1, k * n - 1 })
        {
            var changed = (float[])w.Clone();
            changed[index] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(w[index]) ^ int.MinValue); // one bit: the sign (0 becomes -0)
            Assert.False(snapshot.Matches(changed));
        }

        Assert.False(snapshot.Matches(w.AsSpan(1)));
    }

    [Theory]
    [InlineData(4)]   // the packed GEMM path
    [InlineData(16)]  // the fused single-sequence step (FusedRows), on one thread
    [InlineData(128)] // the fused step split across threads: each task checks its own rows
    public void A_layer_sees_weights_written_between_two_forwards(int hidden)
    {
        var lstm = new Lstm(3, hidden, seed: 1);
        var fresh = new Lstm(3, hidden, seed: 1);
        var x = Tensor.FromValues(Enumerable.Range(0, 2 * 1 * 3).Select(i => 0.1f * i).ToArray(), 2, 1, 3);
        var before = lstm.Forward(x).Output.Clone();

        // A direct write in the first row, then one in the last row of the last gate block (another task's rows).
        foreach (int index in new[] { 7, 4 * hidden * hidden - 1 })
        {
            lstm.GetParameter("weight_hh_l0").Value.Span[index] += 0.5f;
            fresh.GetParameter("weight_hh_l0").Value.Span[index] += 0.5f;
            var after = lstm.Forward(x).Output.Clone();
            Assert.NotEqual(before.Span.ToArray(), after.Span.ToArray());
            var expected = Clone(fresh).Forward(x).Output.Span.ToArray();
            Assert.Equal(expected, after.Span.ToArray());
            before = after;
        }
    }

    /// <summary>A new layer with the same weights, so no cache of the compared one can be involved.</summary>
    private static Lstm Clone(Lstm source)
    {
        var copy = new Lstm(source.InputSize, source.HiddenSize);
        foreach (var p in source.Parameters)
        {
            p.Value.Span.CopyTo(copy.GetParameter(p.Name).Value.Span);
        }

        return copy;
    }
}
