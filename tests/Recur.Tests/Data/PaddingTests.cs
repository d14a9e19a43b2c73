using Recur.Data;

namespace Recur.Tests.Data;

public sealed class PaddingTests
{
    private static readonly int[][] Sequences = [[5, 6, 7], [8], [9, 10, 11, 12, 13]];

    [Fact]
    public void Post_padding_to_the_longest_sequence()
    {
        var p = Padding.Pad(Sequences);

        Assert.Equal((3, 5), (p.BatchSize, p.Length));
        Assert.Equal([5, 6, 7, 0, 0, 8, 0, 0, 0, 0, 9, 10, 11, 12, 13], p.Ids);
        Assert.Equal([3, 1, 5], p.Lengths);
    }

    [Fact]
    public void Pre_padding_puts_the_last_token_at_the_last_step()
    {
        var p = Padding.Pad(Sequences, new PaddingOptions { Padding = PadSide.Pre, PadId = -1 });

        Assert.Equal([-1, -1, 5, 6, 7, -1, -1, -1, -1, 8, 9, 10, 11, 12, 13], p.Ids);
        Assert.Equal(13, p[2, 4]);
    }

    [Theory]
    [InlineData(PadSide.Post, new[] { 5, 6, 8, 0, 9, 10 })]
    [InlineData(PadSide.Pre, new[] { 6, 7, 8, 0, 12, 13 })]
    public void Truncation_cuts_the_chosen_end_and_lengths_count_what_is_kept(PadSide truncating, int[] expected)
    {
        var p = Padding.Pad(Sequences, new PaddingOptions { MaxLength = 2, Truncating = truncating });

        Assert.Equal(expected, p.Ids);
        Assert.Equal([2, 1, 2], p.Lengths);
    }

    [Fact]
    public void Fixed_length_longer_than_every_sequence_pads_all_rows()
    {
        var p = Padding.Pad([[1], []], new PaddingOptions { MaxLength = 3 });

        Assert.Equal([1, 0, 0, 0, 0, 0], p.Ids);
        Assert.Equal([1, 0], p.Lengths);
    }

    [Fact]
    public void Float_tensor_holds_the_same_ids_in_b_t()
    {
        var p = Padding.Pad(Sequences);

        var t = p.ToTensor();

        Assert.True(t.HasShape(3, 5));
        Assert.Equal(p.Ids.Select(i => (float)i), t.Span.ToArray());
    }

    [Fact]
    public void Pad_into_overwrites_a_reused_row()
    {
        Span<int> row = [7, 7, 7, 7];

        int length = Padding.PadInto([1, 2], row, new PaddingOptions { Padding = PadSide.Pre });

        Assert.Equal(2, length);
        Assert.Equal([0, 0, 1, 2], row.ToArray());
    }
}
