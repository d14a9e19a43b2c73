using Recur.Data;
using Recur.Tensors;

namespace Recur.Tests.Data;

public sealed class OneHotTests
{
    [Fact]
    public void Ids_become_rows_with_a_single_one()
    {
        var t = OneHot.Encode([2, 0, 3], 4);

        Assert.True(t.HasShape(3, 4));
        Assert.Equal([0f, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1], t.Span.ToArray());
    }

    [Fact]
    public void Batch_of_sequences_gives_b_t_v_with_one_at_each_id()
    {
        int[] ids = [1, 4, 0, 2, 2, 3];

        var t = OneHot.Encode(ids, 2, 3, 5);

        Assert.True(t.HasShape(2, 3, 5));
        for (int b = 0; b < 2; b++)
        {
            for (int s = 0; s < 3; s++)
            {
                for (int v = 0; v < 5; v++)
                {
                    Assert.Equal(ids[b * 3 + s] == v ? 1f : 0f, t[b, s, v]);
                }
            }
        }
    }

    [Fact]
    public void Float_id_tensors_from_padded_batches_are_accepted()
    {
        var ids = Tensor.FromValues([1, 0, 2, 1], 2, 2);

        var t = OneHot.Encode(ids, 3);

        Assert.True(t.HasShape(2, 2, 3));
        Assert.Equal(OneHot.Encode([1, 0, 2, 1], 2, 2, 3).Span.ToArray(), t.Span.ToArray());
        Assert.Throws<ArgumentException>(() => OneHot.Encode(Tensor.FromValues([0.5f], 1), 3));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    public void Out_of_range_ids_are_rejected_with_position(int bad)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => OneHot.Encode([0, bad], 3));

        Assert.Contains($"element 1 is {bad}", e.Message);
    }

    [Fact]
    public void Encode_into_overwrites_a_reused_buffer()
    {
        var buffer = Enumerable.Repeat(7f, 6).ToArray();

        OneHot.EncodeInto([1, 2], 3, buffer);

        Assert.Equal([0f, 1, 0, 0, 0, 1], buffer);
        Assert.Throws<ArgumentException>(() => OneHot.EncodeInto([1], 3, buffer));
    }
}
