using Recur.Data;
using Recur.Tensors;

namespace Recur.Tests.Data;

public sealed class SlidingWindowsTests
{
    /// <summary>(T, 2): column 0 is t, column 1 is 100 + t, so every value says where it came from.</summary>
    private static Tensor Series(int t)
    {
        var s = new Tensor(t, 2);
        for (int i = 0; i < t; i++)
        {
            s[i, 0] = i;
            s[i, 1] = 100 + i;
        }

        return s;
    }

    [Theory]
    [InlineData(10, 3, 1, 1, 7)]
    [InlineData(10, 3, 2, 1, 6)]
    [InlineData(10, 3, 2, 2, 3)]
    [InlineData(10, 3, 2, 5, 2)]
    [InlineData(10, 3, 2, 6, 1)]
    [InlineData(5, 3, 2, 1, 1)]
    public void Window_count_and_shapes_follow_the_formula(int t, int lookback, int horizon, int stride, int expected)
    {
        var w = SlidingWindows.Create(Series(t), lookback, horizon, [1], stride);

        Assert.Equal(expected, SlidingWindows.Count(t, lookback, horizon, stride));
        Assert.True(w.Inputs.HasShape(expected, lookback, 2));
        Assert.True(w.Targets.HasShape(expected, horizon, 1));
    }

    [Fact]
    public void Every_window_holds_the_right_steps()
    {
        const int lookback = 4, horizon = 2, stride = 3;
        var w = SlidingWindows.Create(Series(20), lookback, horizon, [1], stride);

        for (int n = 0; n < w.Count; n++)
        {
            int start = n * stride;
            for (int k = 0; k < lookback; k++)
            {
                Assert.Equal(start + k, w.Inputs[n, k, 0]);
                Assert.Equal(100 + start + k, w.Inputs[n, k, 1]);
            }

            for (int h = 0; h < horizon; h++)
            {
                Assert.Equal(100 + start + lookback + h, w.Targets[n, h, 0]);
            }
        }
    }

    [Fact]
    public void Tiny_example_by_hand()
    {
        var w = SlidingWindows.Create(Tensor.FromValues([1, 2, 3, 4, 5], 5, 1), lookback: 2, horizon: 1);

        Assert.Equal([1f, 2, 2, 3, 3, 4], w.Inputs.Span.ToArray());
        Assert.Equal([3f, 4, 5], w.Targets.Span.ToArray());
    }

    [Fact]
    public void Without_target_columns_every_column_is_a_target_in_order()
    {
        var w = SlidingWindows.Create(Series(6), 2, 1, [1, 0]);
        var all = SlidingWindows.Create(Series(6), 2, 1);

        Assert.Equal([102f, 2], [w.Targets[0, 0, 0], w.Targets[0, 0, 1]]);
        Assert.Equal([2f, 102], [all.Targets[0, 0, 0], all.Targets[0, 0, 1]]);
    }

    [Fact]
    public void Too_short_series_names_length_lookback_and_horizon()
    {
        var e = Assert.Throws<ArgumentException>(() => SlidingWindows.Create(Series(10), 8, 3));

        Assert.Contains("10 time steps", e.Message);
        Assert.Contains("lookback 8", e.Message);
        Assert.Contains("horizon 3", e.Message);
    }

    [Fact]
    public void Bad_target_column_and_rank_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SlidingWindows.Create(Series(10), 2, 1, [2]));
        Assert.Throws<ArgumentException>(() => SlidingWindows.Create(new Tensor(10), 2, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SlidingWindows.Create(Series(10), 2, 1, stride: 0));
    }

    [Fact]
    public void AirPassengers_windows_of_a_year_forecast_the_next_month()
    {
        var series = CsvReader.Read(DataTestFiles.AirPassengers, ["passengers"]).Values;

        var w = SlidingWindows.Create(series, lookback: 12, horizon: 1);

        Assert.Equal(144 - 12, w.Count);
        Assert.Equal(series[12, 0], w.Targets[0, 0, 0]);
        Assert.Equal(series[143, 0], w.Targets[w.Count - 1, 0, 0]);
    }
}
