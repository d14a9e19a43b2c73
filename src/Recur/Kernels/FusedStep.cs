using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static Recur.Kernels.Activations;

namespace Recur.Kernels;

/// <summary>
/// One recurrent step of a single sequence (B = 1) with the matrix-vector product and the gates fused, for a range of
/// hidden units, so that the step's units split across threads in one fork/join: each thread reads only its units'
/// rows of W_hh (the same rows every step, which stay in its L2) and finishes their gates while the sums are in
/// registers. The general path (packed GEMM, then the gate kernel) computes the same values with another summation
/// order; both are tested against the double-precision reference.
/// </summary>
/// <remarks>
/// W_hh comes as <see cref="FusedRows"/>: the (G, H) PyTorch weight with each block of 8 rows interleaved, the block
/// holding row q·H + j (gate block q, unit j) at (q·H + j)·H. Unit ranges are multiples of 8 and H is a multiple of 8
/// (callers check <see cref="Supports"/>).
/// </remarks>
internal static unsafe class FusedStep
{
    /// <summary>Whether the fused step applies: AVX2/FMA and H a multiple of 8.</summary>
    public static bool Supports(int hidden) => Avx2.IsSupported && Fma.IsSupported && hidden % 8 == 0;

    /// <summary>
    /// Columns per chunk of <see cref="FusedRows"/>: 16 where a 512-bit load brings them at once (half the loads,
    /// which bound the step: it streams W_hh from L2), else 8.
    /// </summary>
    public static int ChunkWidth(int hidden) => Vector512.IsHardwareAccelerated && hidden % 16 == 0 ? 16 : 8;

    /// <summary>
    /// LSTM units [j0, j1): gates (4H) holds x·W_ihᵀ on entry, to which bias (4H, b_ih + b_hh) is added, and σ(i), σ(f),
    /// tanh(g), σ(o) on exit; writes c, tanh(c) and h = o·tanh(c) for those units.
    /// </summary>
    public static void Lstm(
        float* wHh, float* bias, float* hPrev, float* gates, float* cPrev, float* c, float* tanhC, float* h, int hidden, int j0, int j1)
    {
        for (int j = j0; j < j1; j += 8)
        {
            var i = Sigmoid(Dot8(wHh + (long)j * hidden, hPrev, hidden) + Input(gates, bias, j));
            var f = Sigmoid(Dot8(wHh + (long)(hidden + j) * hidden, hPrev, hidden) + Input(gates, bias, hidden + j));
            var g = Tanh(Dot8(wHh + (long)(2 * hidden + j) * hidden, hPrev, hidden) + Input(gates, bias, 2 * hidden + j));
            var o = Sigmoid(Dot8(wHh + (long)(3 * hidden + j) * hidden, hPrev, hidden) + Input(gates, bias, 3 * hidden + j));
            var cNew = Vector256.FusedMultiplyAdd(f, Vector256.Load(cPrev + j), i * g);
            var tc = Tanh(cNew);
            i.Store(gates + j);
            f.Store(gates + hidden + j);
            g.Store(gates + 2 * hidden + j);
            o.Store(gates + 3 * hidden + j);
            cNew.Store(c + j);
            tc.Store(tanhC + j);
            (o * tc).Store(h + j);
        }
    }

    /// <summary>
    /// GRU units [j0, j1): gates (3H) holds x·W_ihᵀ on entry, to which bias (3H, b_ih + [b_hr, b_hz, 0]) is added, and
    /// r, z, n on exit; hn gets W_hn·h_prev + b_hn; h = (1 - z)·n + z·h_prev.
    /// </summary>
    public static void Gru(
        float* wHh, float* bias, float* biasHn, float* hPrev, float* gates, float* hn, float* h, int hidden, int j0, int j1)
    {
        for (int j = j0; j < j1; j += 8)
        {
            var r = Sigmoid(Dot8(wHh + (long)j * hidden, hPrev, hidden) + Input(gates, bias, j));
            var z = Sigmoid(Dot8(wHh + (long)(hidden + j) * hidden, hPrev, hidden) + Input(gates, bias, hidden + j));
            var hnv = Dot8(wHh + (long)(2 * hidden + j) * hidden, hPrev, hidden);
            if (biasHn != null)
            {
                hnv += Vector256.Load(biasHn + j);
            }

            var n = Tanh(Vector256.FusedMultiplyAdd(r, hnv, Input(gates, bias, 2 * hidden + j)));
            r.Store(gates + j);
            z.Store(gates + hidden + j);
            n.Store(gates + 2 * hidden + j);
            hnv.Store(hn + j);
            Vector256.FusedMultiplyAdd(z, Vector256.Load(hPrev + j) - n, n).Store(h + j);
        }
    }

    /// <summary>The input side of 8 pre-activations: x·W_ihᵀ from the projection plus the folded bias.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Input(float* gates, float* bias, int offset) =>
        Vector256.Load(gates + offset) + Vector256.Load(bias + offset);

    /// <summary>
    /// The dot products of the 8 rows of one <see cref="FusedRows"/> block (length n each) with x: one lane per row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Dot8(float* block, float* x, int n) =>
        Vector512.IsHardwareAccelerated && n % 16 == 0 ? Dot8Wide(block, x, n) : Dot8Narrow(block, x, n);

    // Chunks of 16 columns: chunk k/16 of row r at k·8 + 16·r, so the loads walk the block front to back.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Dot8Wide(float* block, float* x, int n)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (int k = 0; k < n; k += 16)
        {
            var xv = Vector512.Load(x + k);
            float* chunk = block + k * 8;
            a0 = Vector512.FusedMultiplyAdd(Vector512.LoadAligned(chunk), xv, a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.LoadAligned(chunk + 16), xv, a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.LoadAligned(chunk + 32), xv, a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.LoadAligned(chunk + 48), xv, a3);
            a4 = Vector512.FusedMultiplyAdd(Vector512.LoadAligned(chunk + 64), xv, a4);
            a5 = Vector512.FusedMultiplyAdd(Vector512.LoadAligned(chunk + 80), xv, a5);
            a6 = Vector512.FusedMultiplyAdd(Vector512.LoadAligned(chunk + 96), xv, a6);
            a7 = Vector512.FusedMultiplyAdd(Vector512.LoadAligned(chunk + 112), xv, a7);
        }

        return Reduce8(
            a0.GetLower() + a0.GetUpper(), a1.GetLower() + a1.GetUpper(), a2.GetLower() + a2.GetUpper(), a3.GetLower() + a3.GetUpper(),
            a4.GetLower() + a4.GetUpper(), a5.GetLower() + a5.GetUpper(), a6.GetLower() + a6.GetUpper(), a7.GetLower() + a7.GetUpper());
    }

    // Chunks of 8 columns: chunk k/8 of row r at k·8 + 8·r.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Dot8Narrow(float* block, float* x, int n)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (int k = 0; k < n; k += 8)
        {
            var xv = Vector256.Load(x + k);
            float* chunk = block + k * 8;
            a0 = Fma.MultiplyAdd(Vector256.LoadAligned(chunk), xv, a0);
            a1 = Fma.MultiplyAdd(Vector256.LoadAligned(chunk + 8), xv, a1);
            a2 = Fma.MultiplyAdd(Vector256.LoadAligned(chunk + 16), xv, a2);
            a3 = Fma.MultiplyAdd(Vector256.LoadAligned(chunk + 24), xv, a3);
            a4 = Fma.MultiplyAdd(Vector256.LoadAligned(chunk + 32), xv, a4);
            a5 = Fma.MultiplyAdd(Vector256.LoadAligned(chunk + 40), xv, a5);
            a6 = Fma.MultiplyAdd(Vector256.LoadAligned(chunk + 48), xv, a6);
            a7 = Fma.MultiplyAdd(Vector256.LoadAligned(chunk + 56), xv, a7);
        }

        return Reduce8(a0, a1, a2, a3, a4, a5, a6, a7);
    }

    // Eight vectors → the vector of their eight sums. Transpose-reduce: hadd pairs twice leaves each row's low and
    // high halves in the two 128-bit lanes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Reduce8(
        Vector256<float> a0, Vector256<float> a1, Vector256<float> a2, Vector256<float> a3,
        Vector256<float> a4, Vector256<float> a5, Vector256<float> a6, Vector256<float> a7)
    {
        var s0123 = Avx.HorizontalAdd(Avx.HorizontalAdd(a0, a1), Avx.HorizontalAdd(a2, a3));
        var s4567 = Avx.HorizontalAdd(Avx.HorizontalAdd(a4, a5), Avx.HorizontalAdd(a6, a7));
        return Avx.Permute2x128(s0123, s4567, 0x20) + Avx.Permute2x128(s0123, s4567, 0x31);
    }
}

/// <summary>
/// W_hh (G, H) rearranged for <see cref="FusedStep"/>: in each block of 8 consecutive rows, chunk by chunk of
/// <see cref="FusedStep.ChunkWidth"/> columns, the 8 rows' chunks one after another. A step then reads each block as one
/// sequential stream instead of 8 strided rows (measured ~17% faster from L2, which bounds the step). The block of
/// row r starts at r·H, as in the raw matrix.
/// </summary>
/// <remarks>
/// Weights may change between sequences (an optimizer, a loaded state dict, a direct write), so every sequence checks
/// the rearranged rows against W_hh bit for bit and rearranges again the blocks that differ. The check needs no copy
/// of the old values (it compares with the rearranged rows themselves) and each thread checks the blocks it is about
/// to read (<see cref="Refresh"/>), which leaves them in its own cache for the first step.
/// </remarks>
internal sealed unsafe class FusedRows
{
    private float[]? _storage;
    private int _length, _hidden;
    private bool _filled; // whether every block was written since the storage was (re)allocated

    /// <summary>Start of the rearranged rows, 64-byte aligned, in a pinned array.</summary>
    public float* Data { get; private set; }

    /// <summary>Sizes the storage for W_hh (G, H), G and H multiples of 8; call before <see cref="Refresh"/>.</summary>
    public void Prepare(int length, int hidden)
    {
        if (length != _length || hidden != _hidden)
        {
            Data = PackBuffers.Ensure(ref _storage, length);
            (_length, _hidden, _filled) = (length, hidden, false);
        }
    }

    /// <summary>Marks every block written, once all of them went through <see cref="Refresh"/> after <see cref="Prepare"/>.</summary>
    public void MarkFilled() => _filled = true;

    /// <summary>Makes the blocks of rows [r0, r1) (multiples of 8) hold those rows of <paramref name="w"/>.</summary>
    public void Refresh(ReadOnlySpan<float> w, int r0, int r1)
    {
        int hidden = _hidden, width = FusedStep.ChunkWidth(hidden);
        fixed (float* pw = w)
        {
            for (int b = r0; b < r1; b += 8)
            {
                float* block = Data + (nint)b * hidden, rows = pw + (nint)b * hidden;
                if (_filled && Holds(block, rows, hidden, width))
                {
                    continue;
                }

                for (int k = 0; k < hidden; k += width)
                {
                    for (int r = 0; r < 8; r++)
                    {
                        Buffer.MemoryCopy(rows + r * hidden + k, block + k * 8 + r * width, width * sizeof(float), width * sizeof(float));
                    }
                }
            }
        }
    }

    // Bitwise (XOR of the bits), so NaN and -0 compare as the bits they are; one pass, no early exit needed.
    private static bool Holds(float* block, float* rows, int hidden, int width)
    {
        var diff = Vector256<int>.Zero;
        for (int k = 0; k < hidden; k += width)
        {
            for (int r = 0; r < 8; r++)
            {
                for (int c = 0; c < width; c += 8)
                {
                    diff |= Vector256.Load((int*)(rows + r * hidden + k + c)) ^ Vector256.Load((int*)(block + k * 8 + r * width + c));
                }
            }
        }

        return diff == Vector256<int>.Zero;
    }
}
