using Recur.Modules;
using Recur.Optimizers;

namespace Recur.Tests.Optimizers;

public class GradientClippingTests
{
    [Fact]
    public void Gradients_above_the_max_norm_are_scaled_to_it_and_both_norms_are_reported()
    {
        var a = new Parameter("a", 2);
        var b = new Parameter("b", 1);
        a.Grad.Span[0] = 3f;
        a.Grad.Span[1] = 4f;
        b.Grad.Span[0] = 12f; // global norm √(9 + 16 + 144) = 13

        var result = GradientClipping.ClipByGlobalNorm([a, b], 1.3f);

        Assert.Equal(13f, result.NormBefore, 5);
        Assert.Equal(1.3f, result.NormAfter, 5);
        Assert.True(result.Clipped);
        float scale = 1.3f / (13f + 1e-6f);
        Assert.Equal([3f * scale, 4f * scale], a.Grad.Span.ToArray());
        Assert.Equal(12f * scale, b.Grad.Span[0]);
    }

    [Fact]
    public void Gradients_within_the_max_norm_are_unchanged()
    {
        var a = new Parameter("a", 2);
        a.Grad.Span[0] = 0.3f;
        a.Grad.Span[1] = -0.4f;

        var result = GradientClipping.ClipByGlobalNorm([a], 1f);

        Assert.Equal(new ClipResult(result.NormBefore, result.NormBefore, Clipped: false), result);
        Assert.Equal(0.5f, result.NormBefore, 6);
        Assert.Equal([0.3f, -0.4f], a.Grad.Span.ToArray());
    }

    [Fact]
    public void A_non_finite_norm_is_returned_and_the_gradients_are_left_alone()
    {
        var a = new Parameter("a", 2);
        a.Grad.Span[0] = float.PositiveInfinity;
        a.Grad.Span[1] = 1f;

        var result = GradientClipping.ClipByGlobalNorm([a], 1f);

        Assert.True(float.IsPositiveInfinity(result.NormBefore));
        Assert.False(result.Clipped);
        Assert.Equal(1f, a.Grad.Span[1]);
    }

    [Fact]
    public void Clip_by_value_clamps_each_element_and_reports_whether_it_fired()
    {
        var a = new Parameter("a", 4);
        float[] g = [0.5f, -3f, 2f, -0.1f];
        g.CopyTo(a.Grad.Span);

        var result = GradientClipping.ClipByValue([a], 1f);

        Assert.Equal([0.5f, -1f, 1f, -0.1f], a.Grad.Span.ToArray());
        Assert.True(result.Clipped);
        Assert.Equal(MathF.Sqrt(0.25f + 9f + 4f + 0.01f), result.NormBefore, 5);
        Assert.Equal(MathF.Sqrt(0.25f + 1f + 1f + 0.01f), result.NormAfter, 5);

        var again = GradientClipping.ClipByValue([a], 1f);
        Assert.False(again.Clipped);
        Assert.Equal(again.NormBefore, again.NormAfter);
    }

    [Fact]
    public void The_bounds_must_be_positive_and_finite()
    {
        var a = new Parameter("a", 1);
        Assert.Equal("maxNorm", Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm([a], 0f)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm([a], float.NaN));
        Assert.Equal("clipValue", Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByValue([a], -1f)).ParamName);
    }
}
