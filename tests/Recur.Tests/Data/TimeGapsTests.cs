using Recur.Data;
using Recur.Tensors;

namespace Recur.Tests.Data;

public class TimeGapsTests
{
    [Fact]
    public void The_gap_since_the_previous_observation_becomes_the_last_feature()
    {
        var values = Tensor.FromValues([1, 10, 2, 20, 3, 30], 3, 2);
        var withGaps = TimeGaps.AppendGapFeature(values, [0.0, 24.0, 96.0], unit: 24.0);
        Assert.Equal(new[] { 3, 3 }, withGaps.Shape.ToArray());
        Assert.Equal(new float[] { 1, 10, 0, 2, 20, 1, 3, 30, 3 }, withGaps.Span.ToArray());
    }

    [Fact]
    public void Times_must_increase_and_match_the_rows()
    {
        var values = new Tensor(3, 1);
        var e = Assert.Throws<ArgumentException>(() => TimeGaps.AppendGapFeature(values, [0.0, 2.0, 2.0]));
        Assert.Contains("times[2]", e.Message);
        Assert.Throws<ArgumentException>(() => TimeGaps.AppendGapFeature(values, [0.0, 1.0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => TimeGaps.AppendGapFeature(values, [0.0, 1.0, 2.0], unit: 0));
    }
}
