using Recur.Modules;
using Recur.Tensors;

namespace Recur.Initializers;

/// <summary>
/// Weight initialisers over a <see cref="Tensor"/> (or a <see cref="Parameter"/>'s value), drawing from a seeded
/// <see cref="Rng"/> so that the same seed gives the same weights. A weight (out, in, ...) has
/// fan_in = in·receptive and fan_out = out·receptive (receptive: the product of the axes after the second), as in
/// <c>torch.nn.init</c>.
/// </summary>
public static partial class Init
{
    /// <summary>Glorot (Xavier) uniform, as <c>xavier_uniform_</c>: U(-a, a), a = gain·√(6 / (fan_in + fan_out)).</summary>
    public static void GlorotUniform(Tensor weight, Rng rng, float gain = 1f)
    {
        var (fanIn, fanOut) = Fans(weight, rng, gain);
        Uniform(weight, rng, Math.Sqrt(3.0) * gain * Math.Sqrt(2.0 / (fanIn + fanOut)));
    }

    /// <summary>Glorot (Xavier) normal, as <c>xavier_normal_</c>: N(0, σ²), σ = gain·√(2 / (fan_in + fan_out)).</summary>
    public static void GlorotNormal(Tensor weight, Rng rng, float gain = 1f)
    {
        var (fanIn, fanOut) = Fans(weight, rng, gain);
        Normal(weight, rng, gain * Math.Sqrt(2.0 / (fanIn + fanOut)));
    }

    /// <summary>He (Kaiming) uniform for ReLU, as <c>kaiming_uniform_(nonlinearity='relu')</c>: U(-b, b), b = √(6 / fan_in).</summary>
    public static void HeUniform(Tensor weight, Rng rng)
    {
        var (fanIn, _) = Fans(weight, rng, 1f);
        Uniform(weight, rng, Math.Sqrt(3.0) * Math.Sqrt(2.0 / fanIn));
    }

    /// <summary>He (Kaiming) normal for ReLU, as <c>kaiming_normal_(nonlinearity='relu')</c>: N(0, σ²), σ = √(2 / fan_in).</summary>
    public static void HeNormal(Tensor weight, Rng rng)
    {
        var (fanIn, _) = Fans(weight, rng, 1f);
        Normal(weight, rng, Math.Sqrt(2.0 / fanIn));
    }

    /// <summary>Every element set to <paramref name="value"/> (0 for zeros).</summary>
    public static void Constant(Tensor tensor, float value = 0f)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        tensor.Span.Fill(value);
    }

    /// <summary>
    /// <paramref name="scale"/>·I in each of the <paramref name="blocks"/> square row blocks of an (blocks·H, H) weight,
    /// zero elsewhere; for the IRNN (Le et al., 2015), W_hh = I with blocks = 1.
    /// </summary>
    public static void Identity(Tensor weight, float scale = 1f, int blocks = 1)
    {
        int size = SquareBlock(weight, blocks);
        weight.Span.Clear();
        for (int r = 0; r < blocks * size; r++)
        {
            weight.Span[r * size + r % size] = scale;
        }
    }

    /// <summary>Checks a rank ≥ 2 weight and the rng and gain; returns (fan_in, fan_out).</summary>
    private static (double FanIn, double FanOut) Fans(Tensor weight, Rng rng, float gain)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(rng);
        if (weight.Rank < 2 || weight.Length == 0)
        {
            throw new ArgumentException(
                $"weight: expected a non-empty tensor of rank >= 2 (out, in, ...) to take fans from, got shape {weight.ShapeText}.", nameof(weight));
        }

        if (!(gain > 0f && float.IsFinite(gain)))
        {
            throw new ArgumentOutOfRangeException(nameof(gain), gain, "gain: expected a finite value > 0.");
        }

        double receptive = weight.Length / ((double)weight.Dim(0) * weight.Dim(1));
        return (weight.Dim(1) * receptive, weight.Dim(0) * receptive);
    }

    private static void Uniform(Tensor weight, Rng rng, double bound) => rng.FillUniform(weight.Span, (float)-bound, (float)bound);

    private static void Normal(Tensor weight, Rng rng, double std)
    {
        var w = weight.Span;
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = (float)(rng.NextGaussian() * std);
        }
    }

    /// <summary>Checks a rank-2 (blocks·H, H) weight; returns H.</summary>
    private static int SquareBlock(Tensor weight, int blocks)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentOutOfRangeException.ThrowIfLessThan(blocks, 1);
        if (weight.Rank != 2 || weight.Dim(1) < 1 || weight.Dim(0) != blocks * weight.Dim(1))
        {
            throw new ArgumentException(
                $"weight: expected shape (blocks·H, H) with blocks = {blocks}, got {weight.ShapeText}.", nameof(weight));
        }

        return weight.Dim(1);
    }
}
