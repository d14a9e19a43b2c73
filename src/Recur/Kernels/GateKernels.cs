using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static Recur.Kernels.Activations;

namespace Recur.Kernels;

/// <summary>
/// Fused elementwise kernels of one time step for a batch of B rows: everything a cell does after the two matrix
/// products, in one pass over each row. Each row is processed eight lanes at a time; the last, partial group of a row
/// goes through the same vector code on a zero-padded copy, so there is a single code path and no scalar twin.
/// </summary>
/// <remarks>
/// Gate rows follow PyTorch: LSTM i|f|g|o (G = 4H), GRU r|z|n (G = 3H), RNN one block (G = H).
/// "pre" buffers hold pre-activations and are overwritten in place with the activations the backward pass reads.
/// Row strides are explicit because hidden states live inside the (T, B, D·H) output, where a direction owns
/// columns d·H .. d·H+H-1 of each row. Every kernel can be limited to hidden units [unitStart, unitEnd) (a multiple of
/// 8 apart, but for the last range), so that one sequence's step can be split across threads.
/// </remarks>
internal static class GateKernels
{
    /// <summary>
    /// LSTM step. gates (B, 4H): in x·W_ihᵀ + h·W_hhᵀ, to which bias (4H, b_ih + b_hh) is added; out σ(i), σ(f),
    /// tanh(g), σ(o). c = f·c_prev + i·g, tanhC = tanh(c), h = o·tanhC.
    /// </summary>
    public static void LstmForward(
        Span<float> gates, ReadOnlySpan<float> bias, ReadOnlySpan<float> cPrev, Span<float> c, Span<float> tanhC,
        Span<float> h, int hStride, int batch, int hidden, int unitStart = 0, int unitEnd = -1)
    {
        int end = unitEnd < 0 ? hidden : unitEnd;
        int g4 = 4 * hidden;
        for (int b = 0; b < batch; b++)
        {
            var row = gates.Slice(b * g4, g4);
            var cp = cPrev.Slice(b * hidden, hidden);
            var cr = c.Slice(b * hidden, hidden);
            var tc = tanhC.Slice(b * hidden, hidden);
            var hr = h.Slice(b * hStride, hidden);
            for (int j = unitStart; j < end; j += 8)
            {
                int n = Math.Min(8, end - j);
                var i = Sigmoid(Load(row, j, n) + Load(bias, j, n));
                var f = Sigmoid(Load(row, hidden + j, n) + Load(bias, hidden + j, n));
                var g = Tanh(Load(row, 2 * hidden + j, n) + Load(bias, 2 * hidden + j, n));
                var o = Sigmoid(Load(row, 3 * hidden + j, n) + Load(bias, 3 * hidden + j, n));
                var cNew = Vector256.FusedMultiplyAdd(f, Load(cp, j, n), i * g);
                var tanhCNew = Tanh(cNew);
                Store(i, row, j, n);
                Store(f, row, hidden + j, n);
                Store(g, row, 2 * hidden + j, n);
                Store(o, row, 3 * hidden + j, n);
                Store(cNew, cr, j, n);
                Store(tanhCNew, tc, j, n);
                Store(o * tanhCNew, hr, j, n);
            }
        }
    }

    /// <summary>
    /// LSTM step backward. dh = dOut + dhNext (the output's gradient plus the recurrent one);
    /// dc = dcNext + dh·o·(1 - tanhC²); writes the pre-activation gradients to dGates (B, 4H) and
    /// dc·f (the gradient reaching c_prev) back into dcNext.
    /// </summary>
    public static void LstmBackward(
        ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> tanhC,
        ReadOnlySpan<float> dOut, int dOutStride, ReadOnlySpan<float> dhNext, Span<float> dcNext,
        Span<float> dGates, int batch, int hidden, int unitStart = 0, int unitEnd = -1)
    {
        int end = unitEnd < 0 ? hidden : unitEnd;
        int g4 = 4 * hidden;
        var one = Vector256<float>.One;
        for (int b = 0; b < batch; b++)
        {
            var row = gates.Slice(b * g4, g4);
            var dRow = dGates.Slice(b * g4, g4);
            var cp = cPrev.Slice(b * hidden, hidden);
            var tc = tanhC.Slice(b * hidden, hidden);
            var dOutRow = dOut.Slice(b * dOutStride, hidden);
            var dhn = dhNext.Slice(b * hidden, hidden);
            var dcn = dcNext.Slice(b * hidden, hidden);
            for (int j = unitStart; j < end; j += 8)
            {
                int n = Math.Min(8, end - j);
                var i = Load(row, j, n);
                var f = Load(row, hidden + j, n);
                var g = Load(row, 2 * hidden + j, n);
                var o = Load(row, 3 * hidden + j, n);
                var t = Load(tc, j, n);
                var dh = Load(dOutRow, j, n) + Load(dhn, j, n);

                // h = o·tanh(c)
                var dc = Load(dcn, j, n) + dh * o * (one - t * t);
                var dO = dh * t;

                // c = f·c_prev + i·g
                Store(dc * g * i * (one - i), dRow, j, n);
                Store(dc * Load(cp, j, n) * f * (one - f), dRow, hidden + j, n);
                Store(dc * i * (one - g * g), dRow, 2 * hidden + j, n);
                Store(dO * o * (one - o), dRow, 3 * hidden + j, n);
                Store(dc * f, dcn, j, n);
            }
        }
    }

    /// <summary>
    /// GRU step (PyTorch form). gates (B, 3H): in x·W_ihᵀ, to which bias (3H, b_ih + [b_hr, b_hz, 0]) is added; out
    /// r, z, n. hh (B, 3H) = h_prev·W_hhᵀ. r = σ(x_r + hh_r), z = σ(x_z + hh_z), hn = hh_n + b_hn,
    /// n = tanh(x_n + r·hn), h = (1 - z)·n + z·h_prev. hn (B, H) is kept for the backward pass.
    /// </summary>
    public static void GruForward(
        Span<float> gates, ReadOnlySpan<float> bias, ReadOnlySpan<float> hh, ReadOnlySpan<float> biasHn,
        ReadOnlySpan<float> hPrev, int hPrevStride, Span<float> hn, Span<float> h, int hStride, int batch, int hidden, int unitStart = 0, int unitEnd = -1)
    {
        int end = unitEnd < 0 ? hidden : unitEnd;
        int g3 = 3 * hidden;
        for (int b = 0; b < batch; b++)
        {
            var row = gates.Slice(b * g3, g3);
            var hhRow = hh.Slice(b * g3, g3);
            var hp = hPrev.Slice(b * hPrevStride, hidden);
            var hnRow = hn.Slice(b * hidden, hidden);
            var hr = h.Slice(b * hStride, hidden);
            for (int j = unitStart; j < end; j += 8)
            {
                int n = Math.Min(8, end - j);
                var r = Sigmoid(Load(row, j, n) + Load(bias, j, n) + Load(hhRow, j, n));
                var z = Sigmoid(Load(row, hidden + j, n) + Load(bias, hidden + j, n) + Load(hhRow, hidden + j, n));
                var hnv = Load(hhRow, 2 * hidden + j, n);
                if (!biasHn.IsEmpty)
                {
                    hnv += Load(biasHn, j, n);
                }

                var nv = Tanh(Vector256.FusedMultiplyAdd(r, hnv, Load(row, 2 * hidden + j, n) + Load(bias, 2 * hidden + j, n)));
                Store(r, row, j, n);
                Store(z, row, hidden + j, n);
                Store(nv, row, 2 * hidden + j, n);
                Store(hnv, hnRow, j, n);
                Store(Vector256.FusedMultiplyAdd(z, Load(hp, j, n) - nv, nv), hr, j, n);
            }
        }
    }

    /// <summary>
    /// GRU step backward. dh = dOut + dhNext. Writes the gradients of the input-side pre-activations to
    /// dGates (B, 3H) = [dr, dz, dn], of the hidden-side ones to dHh (B, 3H) = [dr, dz, dn·r], and dh·z (the direct
    /// path to h_prev; the recurrent GEMM adds dHh·W_hh to it) back into dhNext.
    /// </summary>
    public static void GruBackward(
        ReadOnlySpan<float> gates, ReadOnlySpan<float> hn, ReadOnlySpan<float> hPrev, int hPrevStride,
        ReadOnlySpan<float> dOut, int dOutStride, Span<float> dhNext,
        Span<float> dGates, Span<float> dHh, int batch, int hidden, int unitStart = 0, int unitEnd = -1)
    {
        int end = unitEnd < 0 ? hidden : unitEnd;
        int g3 = 3 * hidden;
        var one = Vector256<float>.One;
        for (int b = 0; b < batch; b++)
        {
            var row = gates.Slice(b * g3, g3);
            var dRow = dGates.Slice(b * g3, g3);
            var dHhRow = dHh.Slice(b * g3, g3);
            var hnRow = hn.Slice(b * hidden, hidden);
            var hp = hPrev.Slice(b * hPrevStride, hidden);
            var dOutRow = dOut.Slice(b * dOutStride, hidden);
            var dhn = dhNext.Slice(b * hidden, hidden);
            for (int j = unitStart; j < end; j += 8)
            {
                int n = Math.Min(8, end - j);
                var r = Load(row, j, n);
                var z = Load(row, hidden + j, n);
                var nv = Load(row, 2 * hidden + j, n);
                var dh = Load(dOutRow, j, n) + Load(dhn, j, n);

                // h = (1 - z)·n + z·h_prev
                var dPreN = dh * (one - z) * (one - nv * nv);
                var dPreZ = dh * (Load(hp, j, n) - nv) * z * (one - z);

                // n = tanh(x_n + r·hn)
                var dPreR = dPreN * Load(hnRow, j, n) * r * (one - r);
                Store(dPreR, dRow, j, n);
                Store(dPreZ, dRow, hidden + j, n);
                Store(dPreN, dRow, 2 * hidden + j, n);
                Store(dPreR, dHhRow, j, n);
                Store(dPreZ, dHhRow, hidden + j, n);
                Store(dPreN * r, dHhRow, 2 * hidden + j, n);
                Store(dh * z, dhn, j, n);
            }
        }
    }

    /// <summary>Elman RNN step: h = tanh(pre + bias) or relu(pre + bias); pre (B, H) = x·W_ihᵀ + h_prev·W_hhᵀ, bias (H) = b_ih + b_hh.</summary>
    public static void RnnForward(ReadOnlySpan<float> pre, ReadOnlySpan<float> bias, bool relu, Span<float> h, int hStride, int batch, int hidden, int unitStart = 0, int unitEnd = -1)
    {
        int end = unitEnd < 0 ? hidden : unitEnd;
        for (int b = 0; b < batch; b++)
        {
            var row = pre.Slice(b * hidden, hidden);
            var hr = h.Slice(b * hStride, hidden);
            for (int j = unitStart; j < end; j += 8)
            {
                int n = Math.Min(8, end - j);
                var x = Load(row, j, n) + Load(bias, j, n);
                Store(relu ? Vector256.Max(x, Vector256<float>.Zero) : Tanh(x), hr, j, n);
            }
        }
    }

    /// <summary>
    /// Elman RNN step backward from the output h: dPre = (dOut + dhNext)·(1 - h²) for tanh, ·[h > 0] for ReLU.
    /// </summary>
    public static void RnnBackward(
        ReadOnlySpan<float> h, int hStride, bool relu, ReadOnlySpan<float> dOut, int dOutStride,
        ReadOnlySpan<float> dhNext, Span<float> dPre, int batch, int hidden, int unitStart = 0, int unitEnd = -1)
    {
        int end = unitEnd < 0 ? hidden : unitEnd;
        for (int b = 0; b < batch; b++)
        {
            var hr = h.Slice(b * hStride, hidden);
            var dOutRow = dOut.Slice(b * dOutStride, hidden);
            var dhn = dhNext.Slice(b * hidden, hidden);
            var dRow = dPre.Slice(b * hidden, hidden);
            for (int j = unitStart; j < end; j += 8)
            {
                int n = Math.Min(8, end - j);
                var hv = Load(hr, j, n);
                var dh = Load(dOutRow, j, n) + Load(dhn, j, n);
                var d = relu
                    ? Vector256.ConditionalSelect(Vector256.GreaterThan(hv, Vector256<float>.Zero), dh, Vector256<float>.Zero)
                    : dh * (Vector256<float>.One - hv * hv);
                Store(d, dRow, j, n);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Load(ReadOnlySpan<float> s, int j, int n)
    {
        Debug.Assert(j + n <= s.Length);
        return n == 8 ? Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(s), (nuint)j) : LoadPartial(s.Slice(j, n));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector256<float> v, Span<float> d, int j, int n)
    {
        Debug.Assert(j + n <= d.Length);
        if (n == 8)
        {
            v.StoreUnsafe(ref MemoryMarshal.GetReference(d), (nuint)j);
        }
        else
        {
            StorePartial(v, d.Slice(j, n));
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector256<float> LoadPartial(ReadOnlySpan<float> s)
    {
        Span<float> tmp = stackalloc float[8];
        tmp.Clear();
        s.CopyTo(tmp);
        return Vector256.Create<float>(tmp);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StorePartial(Vector256<float> v, Span<float> d)
    {
        Span<float> tmp = stackalloc float[8];
        v.CopyTo(tmp);
        tmp[..d.Length].CopyTo(d);
    }
}
