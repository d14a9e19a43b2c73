namespace Recur.Tests.Reference;

/// <summary>Comparisons "relative to the magnitude": max |actual - expected| ≤ tol · max(max |expected|, floor).</summary>
public static class Tolerance
{
    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double relative, string what, double floor = 1e-3)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} values, got {actual.Length}.");
        double scale = floor, worst = 0;
        int worstAt = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            scale = Math.Max(scale, Math.Abs(expected[i]));
            double diff = Math.Abs(expected[i] - actual[i]);
            if (!(diff <= worst))
            {
                (worst, worstAt) = (diff, i);
            }
        }

        Assert.True(worst <= relative * scale,
            $"{what}: max |diff| {worst:E3} at [{worstAt}] (expected {(worstAt >= 0 ? expected[worstAt] : 0):G9}, got {(worstAt >= 0 ? actual[worstAt] : 0):G9}) exceeds {relative:E1} x magnitude {scale:G6}.");
    }

    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double relative, string what, double floor = 1e-3)
    {
        var e = new double[expected.Length];
        for (int i = 0; i < e.Length; i++)
        {
            e[i] = expected[i];
        }

        AssertClose(e, actual, relative, what, floor);
    }

    public static double[] ToDouble(ReadOnlySpan<float> x)
    {
        var r = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            r[i] = x[i];
        }

        return r;
    }

    public static float[] RandomNormal(Rng rng, int count, double scale = 1.0)
    {
        var r = new float[count];
        for (int i = 0; i < count; i++)
        {
            r[i] = (float)(rng.NextGaussian() * scale);
        }

        return r;
    }
}
