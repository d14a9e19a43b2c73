using Recur.Modules;
using Recur.Optimizers;

namespace Recur.Tests.Optimizers;

public class GradientClippingTests
{
    [Fact]
    public void Gradients_above_the_max_norm_are_scaled_to_it_and_the_norm_before_is_returned()
    {
        var a = new Parameter("a", 2);
        var b = new Parameter("b", 1);
        a.Grad.Span[0] = 3f;
        a.Grad.Span[1] = 4f;
        b.Grad.Span[0] = 12f; // global norm √(9 + 16 + 144) = 13

        float norm = GradientClipping.ClipByGlobalNorm([a, b], 1.3f);

        Assert.Equal(13f, norm, 5);
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

        Assert.Equal(0.5f, GradientClipping.ClipByGlobalNorm([a], 1f), 6);
        Assert.Equal([0.3f, -0.4f], a.Grad.Span.ToArray());
    }

    [Fact]
    public void A_non_finite_norm_is_returned_and_the_gradients_are_left_alone()
    {
        var a = new Parameter("a", 2);
        a.Grad.Span[0] = float.PositiveInfinity;
        a.Grad.Span[1] = 1f;

        Assert.True(float.IsPositiveInfinity(GradientClipping.ClipByGlobalNorm([a], 1f)));
        Assert.Equal(1f, a.Grad.Span[1]);
    }

    [Fact]
    public void The_max_norm_must_be_positive_and_finite()
    {
        var a = new Parameter("a", 1);
        Assert.Equal("maxNorm", Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm([a], 0f)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm([a], float.NaN));
    }
}
