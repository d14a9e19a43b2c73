using System.Runtime.Intrinsics;
using Recur.Kernels;
using Recur.Tests.Reference;

namespace Recur.Tests.Kernels;

/// <summary>The fused gate kernels against the cell equations in double precision, for every tail length.</summary>
public class GateKernelsTests
{
    private const double Tol = 2e-6;

    public static TheoryData<int> HiddenSizes()
    {
        var data = new TheoryData<int>();
        foreach (int h in Enumerable.Range(1, 33).Concat([64, 67, 256]))
        {
            data.Add(h);
        }

        return data;
    }

    [Fact]
    public void Vector_sigmoid_and_tanh_are_accurate_to_a_few_ulp_over_the_whole_range()
    {
        var rng = new Rng(3);
        var xs = new List<float> { 0f, -0f, 1e-30f, -1e-8f, 0.6249f, 0.625f, -0.6251f, 9f, -9f, 20f, -20f, 88f, -88f, 200f, -200f };
        for (int i = 0; i < 4000; i++)
        {
            xs.Add((float)(rng.NextGaussian() * Math.Pow(10, rng.NextDouble() * 4 - 3)));
        }

        for (int i = 0; i < xs.Count; i += 8)
        {
            var chunk = new float[8];
            xs.Skip(i).Take(8).ToArray().CopyTo(chunk, 0);
            var v = Vector256.Create(chunk);
            var s = Activations.Sigmoid(v);
            var t = Activations.Tanh(v);
            for (int j = 0; j < 8; j++)
            {
                double x = chunk[j];
                double sig = 1 / (1 + Math.Exp(-x)), tanh = Math.Tanh(x);
                Assert.True(Math.Abs(s[j] - sig) <= 4e-7 * Math.Abs(sig) + 1e-37, $"sigmoid({x}) = {s[j]}, expected {sig}");
                Assert.True(Math.Abs(t[j] - tanh) <= 4e-7 * Math.Abs(tanh) + 1e-37, $"tanh({x}) = {t[j]}, expected {tanh}");
            }
        }

        var special = Vector256.Create(float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0, 0, 0, 0, 0);
        Assert.True(float.IsNaN(Activations.Tanh(special)[0]) && float.IsNaN(Activations.Sigmoid(special)[0]));
        Assert.Equal(1f, Activations.Tanh(special)[1]);
        Assert.Equal(-1f, Activations.Tanh(special)[2]);
        Assert.Equal(1f, Activations.Sigmoid(special)[1]);
        Assert.Equal(0f, Activations.Sigmoid(special)[2]);
    }

    [Fact]
    public void Vector_exp_is_within_two_ulp_over_its_range_and_keeps_nan()
    {
        var rng = new Rng(8);
        for (int i = 0; i < 20000; i++)
        {
            var chunk = new float[8];
            for (int j = 0; j < 8; j++)
            {
                chunk[j] = (float)((rng.NextDouble() * 2 - 1) * 87);
            }

            var e = Activations.Exp(Vector256.Create(chunk));
            for (int j = 0; j < 8; j++)
            {
                double expected = Math.Exp(chunk[j]);
                Assert.True(Math.Abs(e[j] - expected) <= 2.5e-7 * expected, $"exp({chunk[j]}) = {e[j]}, expected {expected}");
            }
        }

        var special = Activations.Exp(Vector256.Create(float.NaN, 0f, -1000f, 1000f, 1f, -1f, 0f, 0f));
        Assert.True(float.IsNaN(special[0]));
        Assert.Equal(1f, special[1]);
        Assert.InRange(special[2], 0f, 1e-37f);
        Assert.True(special[3] > 3e38f);
    }

    [Theory]
    [MemberData(nameof(HiddenSizes))]
    public void Lstm_forward_and_backward_match_the_equations(int hidden)
    {
        const int batch = 3, hStride = 2; // h rows live in a wider buffer, as in a bidirectional output
        var rng = new Rng((ulong)hidden);
        var pre = Tolerance.RandomNormal(rng, batch * 4 * hidden, 2);
        var bias = Tolerance.RandomNormal(rng, 4 * hidden);
        var cPrev = Tolerance.RandomNormal(rng, batch * hidden);
        var gates = (float[])pre.Clone();
        var c = new float[batch * hidden];
        var tanhC = new float[batch * hidden];
        var h = new float[batch * hStride * hidden];
        GateKernels.LstmForward(gates, bias, cPrev, c, tanhC, h, hStride * hidden, batch, hidden);

        var dOut = Tolerance.RandomNormal(rng, batch * hStride * hidden);
        var dhNext = Tolerance.RandomNormal(rng, batch * hidden);
        var dcNext = Tolerance.RandomNormal(rng, batch * hidden);
        var dcInOut = (float[])dcNext.Clone();
        var dGates = new float[pre.Length];
        GateKernels.LstmBackward(gates, cPrev, tanhC, dOut, hStride * hidden, dhNext, dcInOut, dGates, batch, hidden);

        for (int b = 0; b < batch; b++)
        {
            for (int j = 0; j < hidden; j++)
            {
                int g = b * 4 * hidden + j, s = b * hidden + j;
                double i = Sig(pre[g] + bias[j]), f = Sig(pre[g + hidden] + bias[hidden + j]);
                double gg = Math.Tanh(pre[g + 2 * hidden] + bias[2 * hidden + j]), o = Sig(pre[g + 3 * hidden] + bias[3 * hidden + j]);
                double cNew = f * cPrev[s] + i * gg, tc = Math.Tanh(cNew), hNew = o * tc;
                Near(i, gates[g]);
                Near(f, gates[g + hidden]);
                Near(gg, gates[g + 2 * hidden]);
                Near(o, gates[g + 3 * hidden]);
                Near(cNew, c[s]);
                Near(tc, tanhC[s]);
                Near(hNew, h[b * hStride * hidden + j]);

                double dh = dOut[b * hStride * hidden + j] + dhNext[s];
                double dc = dcNext[s] + dh * o * (1 - tc * tc);
                Near(dc * gg * i * (1 - i), dGates[g]);
                Near(dc * cPrev[s] * f * (1 - f), dGates[g + hidden]);
                Near(dc * i * (1 - gg * gg), dGates[g + 2 * hidden]);
                Near(dh * tc * o * (1 - o), dGates[g + 3 * hidden]);
                Near(dc * f, dcInOut[s]);
            }
        }

        Assert.All(h.Where((_, k) => k % (hStride * hidden) >= hidden), v => Assert.Equal(0f, v)); // other direction untouched
    }

    [Theory]
    [MemberData(nameof(HiddenSizes))]
    public void Gru_forward_and_backward_match_the_equations(int hidden)
    {
        const int batch = 2;
        var rng = new Rng(100 + (ulong)hidden);
        var pre = Tolerance.RandomNormal(rng, batch * 3 * hidden, 2);
        var bias = Tolerance.RandomNormal(rng, 3 * hidden);
        var hh = Tolerance.RandomNormal(rng, batch * 3 * hidden, 2);
        var bhn = Tolerance.RandomNormal(rng, hidden);
        var hPrev = Tolerance.RandomNormal(rng, batch * hidden);
        var gates = (float[])pre.Clone();
        var hn = new float[batch * hidden];
        var h = new float[batch * hidden];
        GateKernels.GruForward(gates, bias, hh, bhn, hPrev, hidden, hn, h, hidden, batch, hidden);

        var dOut = Tolerance.RandomNormal(rng, batch * hidden);
        var dhNext = Tolerance.RandomNormal(rng, batch * hidden);
        var dhInOut = (float[])dhNext.Clone();
        var dGates = new float[pre.Length];
        var dHh = new float[pre.Length];
        GateKernels.GruBackward(gates, hn, hPrev, hidden, dOut, hidden, dhInOut, dGates, dHh, batch, hidden);

        for (int b = 0; b < batch; b++)
        {
            for (int j = 0; j < hidden; j++)
            {
                int g = b * 3 * hidden + j, s = b * hidden + j;
                double r = Sig(pre[g] + bias[j] + hh[g]), z = Sig(pre[g + hidden] + bias[hidden + j] + hh[g + hidden]);
                double hnv = hh[g + 2 * hidden] + bhn[j];
                double n = Math.Tanh(pre[g + 2 * hidden] + bias[2 * hidden + j] + r * hnv);
                Near(r, gates[g]);
                Near(z, gates[g + hidden]);
                Near(n, gates[g + 2 * hidden]);
                Near(hnv, hn[s]);
                Near((1 - z) * n + z * hPrev[s], h[s]);

                double dh = dOut[s] + dhNext[s];
                double dn = dh * (1 - z) * (1 - n * n);
                double dz = dh * (hPrev[s] - n) * z * (1 - z);
                double dr = dn * hnv * r * (1 - r);
                Near(dr, dGates[g]);
                Near(dz, dGates[g + hidden]);
                Near(dn, dGates[g + 2 * hidden]);
                Near(dr, dHh[g]);
                Near(dz, dHh[g + hidden]);
                Near(dn * r, dHh[g + 2 * hidden]);
                Near(dh * z, dhInOut[s]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(HiddenSizes))]
    public void Rnn_forward_and_backward_match_the_equations(int hidden)
    {
        const int batch = 2;
        foreach (bool relu in new[] { false, true })
        {
            var rng = new Rng(200 + (ulong)hidden);
            var pre = Tolerance.RandomNormal(rng, batch * hidden, 2);
            var bias = Tolerance.RandomNormal(rng, hidden);
            var h = new float[batch * hidden];
            GateKernels.RnnForward(pre, bias, relu, h, hidden, batch, hidden);
            var dOut = Tolerance.RandomNormal(rng, batch * hidden);
            var dhNext = Tolerance.RandomNormal(rng, batch * hidden);
            var dPre = new float[batch * hidden];
            GateKernels.RnnBackward(h, hidden, relu, dOut, hidden, dhNext, dPre, batch, hidden);
            for (int s = 0; s < batch * hidden; s++)
            {
                double x = pre[s] + bias[s % hidden];
                double expected = relu ? Math.Max(0, x) : Math.Tanh(x);
                Near(expected, h[s]);
                double dh = dOut[s] + dhNext[s];
                Near(relu ? (x > 0 ? dh : 0) : dh * (1 - expected * expected), dPre[s]);
            }
        }
    }

    private static double Sig(double x) => 1 / (1 + Math.Exp(-x));

    private static void Near(double expected, float actual) =>
        Assert.True(Math.Abs(expected - actual) <= Tol * Math.Max(1, Math.Abs(expected)), $"expected {expected:G9}, got {actual:G9}");
}
