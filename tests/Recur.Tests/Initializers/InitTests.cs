using Recur.Initializers;
using Recur.Layers;
using Recur.Tensors;

namespace Recur.Tests.Initializers;

public class InitTests
{
    public static TheoryData<string, double> VarianceSchemes => new()
    {
        { "glorot_uniform", 2.0 / (300 + 500) },
        { "glorot_normal", 2.0 / (300 + 500) },
        { "he_uniform", 2.0 / 500 },
        { "he_normal", 2.0 / 500 },
    };

    [Theory]
    [MemberData(nameof(VarianceSchemes))]
    public void Variance_scaling_schemes_have_the_documented_variance_and_zero_mean(string scheme, double variance)
    {
        var w = new Tensor(300, 500); // (out, in): fan_in 500, fan_out 300
        Apply(scheme, w, new Rng(5));

        var x = w.Span.ToArray();
        double mean = x.Average(v => (double)v), sample = x.Average(v => (double)v * v) - mean * mean;
        Assert.InRange(sample / variance, 0.97, 1.03);
        Assert.InRange(Math.Abs(mean), 0, 0.01 * Math.Sqrt(variance));
        if (scheme.EndsWith("uniform", StringComparison.Ordinal))
        {
            Assert.InRange(x.Max(v => Math.Abs(v)), 0, Math.Sqrt(3 * variance) * 1.0000001); // U(-a, a) with a² = 3σ²
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_weights_and_another_seed_does_not()
    {
        var a = new Tensor(8, 6);
        var b = new Tensor(8, 6);
        var c = new Tensor(8, 6);
        Init.GlorotNormal(a, new Rng(9));
        Init.GlorotNormal(b, new Rng(9));
        Init.GlorotNormal(c, new Rng(10));
        Assert.Equal(a.Span.ToArray(), b.Span.ToArray());
        Assert.NotEqual(a.Span.ToArray(), c.Span.ToArray());

        var lstmA = new Lstm(3, 5);
        var lstmB = new Lstm(3, 5);
        Init.Recurrent(lstmA, RecurrentInit.Orthogonal, new Rng(1));
        Init.Recurrent(lstmB, RecurrentInit.Orthogonal, new Rng(1));
        Assert.All(lstmA.Parameters.Zip(lstmB.Parameters), pair => Assert.Equal(pair.First.Value.Span.ToArray(), pair.Second.Value.Span.ToArray()));
    }

    [Theory]
    [InlineData(7, 7)]
    [InlineData(9, 4)]
    [InlineData(3, 8)]
    public void Orthogonal_matrices_have_orthonormal_columns_or_rows(int rows, int cols)
    {
        var w = new Tensor(rows, cols);
        Init.Orthogonal(w, new Rng(3), gain: 2f);
        AssertOrthonormal(w.Span, rows, cols, scale: 2);
    }

    [Fact]
    public void Each_gate_block_of_a_recurrent_weight_is_orthogonal()
    {
        var gru = new Gru(4, 6, numLayers: 2, bidirectional: true);
        Init.Recurrent(gru, RecurrentInit.Orthogonal, new Rng(2));

        foreach (var p in gru.Parameters.Where(p => p.Name.StartsWith("weight_hh", StringComparison.Ordinal)))
        {
            for (int gate = 0; gate < 3; gate++)
            {
                AssertOrthonormal(p.Value.Span.Slice(gate * 36, 36), 6, 6, scale: 1);
            }
        }

        Assert.All(gru.Parameters.Where(p => p.Name.StartsWith("bias", StringComparison.Ordinal)), p => Assert.All(p.Value.Span.ToArray(), v => Assert.Equal(0f, v)));
    }

    [Fact]
    public void Identity_recurrent_weights_give_an_irnn()
    {
        var rnn = new Rnn(3, 4, nonlinearity: RnnNonlinearity.Relu);
        Init.Recurrent(rnn, RecurrentInit.Identity, new Rng(1), identityScale: 0.5f);

        var whh = rnn.GetParameter("weight_hh_l0").Value;
        for (int r = 0; r < 4; r++)
        {
            for (int c = 0; c < 4; c++)
            {
                Assert.Equal(r == c ? 0.5f : 0f, whh[r, c]);
            }
        }

        var blocks = new Tensor(8, 2);
        Init.Identity(blocks, blocks: 4);
        Assert.Equal([1f, 0f, 0f, 1f, 1f, 0f, 0f, 1f], blocks.Span[..8].ToArray());
    }

    [Fact]
    public void The_lstm_forget_gate_biases_sum_to_one()
    {
        var lstm = new Lstm(2, 3, bidirectional: true);
        Init.Recurrent(lstm, RecurrentInit.Orthogonal, new Rng(4));

        foreach (string suffix in new[] { "_l0", "_l0_reverse" })
        {
            var ih = lstm.GetParameter("bias_ih" + suffix).Value.Span;
            var hh = lstm.GetParameter("bias_hh" + suffix).Value.Span;
            Assert.Equal([0f, 0f, 0f, 1f, 1f, 1f, 0f, 0f, 0f, 0f, 0f, 0f], ih.ToArray()); // i|f|g|o, H = 3
            Assert.All(hh.ToArray(), v => Assert.Equal(0f, v));
        }

        Assert.Equal("layer", Assert.Throws<ArgumentException>(() => Init.LstmForgetGateBias(new Gru(2, 3))).ParamName);
    }

    [Fact]
    public void Bad_shapes_are_refused_with_the_shape()
    {
        var e = Assert.Throws<ArgumentException>(() => Init.GlorotUniform(new Tensor(5), new Rng(1)));
        Assert.Equal("weight", e.ParamName);
        Assert.Contains("(5)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Init.Orthogonal(new Tensor(10, 4), new Rng(1), blocks: 4));
        Assert.Contains("(blocks·H, H)", e.Message);
        Assert.Equal("gain", Assert.Throws<ArgumentOutOfRangeException>(() => Init.GlorotNormal(new Tensor(2, 2), new Rng(1), gain: 0f)).ParamName);
    }

    private static void Apply(string scheme, Tensor w, Rng rng)
    {
        switch (scheme)
        {
            case "glorot_uniform": Init.GlorotUniform(w, rng); break;
            case "glorot_normal": Init.GlorotNormal(w, rng); break;
            case "he_uniform": Init.HeUniform(w, rng); break;
            default: Init.HeNormal(w, rng); break;
        }
    }

    /// <summary>WᵀW = scale²·I (rows ≥ cols) or WWᵀ = scale²·I (rows &lt; cols), within 1e-5.</summary>
    private static void AssertOrthonormal(ReadOnlySpan<float> w, int rows, int cols, double scale)
    {
        bool byColumn = rows >= cols;
        int n = byColumn ? cols : rows, m = byColumn ? rows : cols;
        for (int a = 0; a < n; a++)
        {
            for (int b = 0; b < n; b++)
            {
                double dot = 0;
                for (int k = 0; k < m; k++)
                {
                    dot += byColumn ? (double)w[k * cols + a] * w[k * cols + b] : (double)w[a * cols + k] * w[b * cols + k];
                }

                Assert.True(Math.Abs(dot / (scale * scale) - (a == b ? 1 : 0)) < 1e-5, $"entry ({a}, {b}) of the Gram matrix is {dot}");
            }
        }
    }
}
