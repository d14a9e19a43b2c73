using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recur.Kernels;

/// <summary>
/// The MR×NR = 6×16 micro-kernels: C[6×16] (=|+=) Ap[kc×6]ᵀ · Bp[kc×16] over packed panels. Each step p broadcasts
/// the 6 values of A and multiplies them with the 16 of B (two 8-float vectors), 12 FMAs into 12 accumulators:
/// 12 + 2 + 1 of the 16 ymm registers, and two FMA ports kept busy since 12 independent chains cover the latency.
/// </summary>
internal static unsafe class SgemmKernels
{
    /// <summary>AVX2/FMA kernel. <paramref name="overwrite"/>: store the result, else add it to C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Avx2(float* a, float* b, int kc, float* c, nint ldc, bool overwrite)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++, a += Sgemm.MR, b += Sgemm.NR)
        {
            Vector256<float> b0 = Avx.LoadVector256(b);
            Vector256<float> b1 = Avx.LoadVector256(b + 8);
            Vector256<float> ai = Avx.BroadcastScalarToVector256(a);
            c00 = Fma.MultiplyAdd(ai, b0, c00);
            c01 = Fma.MultiplyAdd(ai, b1, c01);
            ai = Avx.BroadcastScalarToVector256(a + 1);
            c10 = Fma.MultiplyAdd(ai, b0, c10);
            c11 = Fma.MultiplyAdd(ai, b1, c11);
            ai = Avx.BroadcastScalarToVector256(a + 2);
            c20 = Fma.MultiplyAdd(ai, b0, c20);
            c21 = Fma.MultiplyAdd(ai, b1, c21);
            ai = Avx.BroadcastScalarToVector256(a + 3);
            c30 = Fma.MultiplyAdd(ai, b0, c30);
            c31 = Fma.MultiplyAdd(ai, b1, c31);
            ai = Avx.BroadcastScalarToVector256(a + 4);
            c40 = Fma.MultiplyAdd(ai, b0, c40);
            c41 = Fma.MultiplyAdd(ai, b1, c41);
            ai = Avx.BroadcastScalarToVector256(a + 5);
            c50 = Fma.MultiplyAdd(ai, b0, c50);
            c51 = Fma.MultiplyAdd(ai, b1, c51);
        }

        StoreRow(c, c00, c01, overwrite);
        StoreRow(c + ldc, c10, c11, overwrite);
        StoreRow(c + 2 * ldc, c20, c21, overwrite);
        StoreRow(c + 3 * ldc, c30, c31, overwrite);
        StoreRow(c + 4 * ldc, c40, c41, overwrite);
        StoreRow(c + 5 * ldc, c50, c51, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector256<float> lo, Vector256<float> hi, bool overwrite)
    {
        if (!overwrite)
        {
            lo = Avx.Add(lo, Avx.LoadVector256(c));
            hi = Avx.Add(hi, Avx.LoadVector256(c + 8));
        }

        Avx.Store(c, lo);
        Avx.Store(c + 8, hi);
    }

    /// <summary>
    /// Portable kernel for machines without AVX2/FMA (Vector128 maps to SSE or NEON). One row at a time, so its
    /// four accumulators stay in registers on every target; B is re-read from L1 for each row.
    /// </summary>
    public static void Portable(float* a, float* b, int kc, float* c, nint ldc, bool overwrite)
    {
        for (int r = 0; r < Sgemm.MR; r++, c += ldc)
        {
            Vector128<float> s0 = default, s1 = default, s2 = default, s3 = default;
            float* bp = b;
            for (int p = 0; p < kc; p++, bp += Sgemm.NR)
            {
                var ai = Vector128.Create(a[p * Sgemm.MR + r]);
                s0 += ai * Vector128.Load(bp);
                s1 += ai * Vector128.Load(bp + 4);
                s2 += ai * Vector128.Load(bp + 8);
                s3 += ai * Vector128.Load(bp + 12);
            }

            if (!overwrite)
            {
                s0 += Vector128.Load(c);
                s1 += Vector128.Load(c + 4);
                s2 += Vector128.Load(c + 8);
                s3 += Vector128.Load(c + 12);
            }

            s0.Store(c);
            s1.Store(c + 4);
            s2.Store(c + 8);
            s3.Store(c + 12);
        }
    }
}
