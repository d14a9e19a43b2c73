using System.Runtime.Intrinsics.X86;

namespace Recur.Kernels;

/// <summary>One GEMM call in pointer form, C[m×n] (=|+=) op(A)[m×k]·op(B)[k×n]; see <see cref="Gemm"/>.</summary>
internal unsafe struct SgemmArgs
{
    public float* A;
    public nint Lda;
    public bool TransA;
    public float* B;
    public nint Ldb;
    public bool TransB;

    /// <summary>op(B) already in <see cref="PackedMatrix"/> layout, or null to pack B block by block.</summary>
    public float* PackedB;

    /// <summary>Floats per k-row of <see cref="PackedB"/>: n rounded up to NR.</summary>
    public nint PackedStride;

    public int M;
    public int N;
    public int K;
    public float* C;
    public nint Ldc;
    public bool Accumulate;

    /// <summary>Use the AVX2/FMA kernels (false: the portable ones).</summary>
    public bool Simd;

    /// <summary>Parallel parts split the columns of C (true) or its rows (false).</summary>
    public bool SplitN;
}

/// <summary>
/// Packed SGEMM in the BLIS loop order: for each NC-column block of C, for each KC-deep slice, pack op(B) (skipped
/// when pre-packed), then for each MC-row block pack op(A) and sweep 6×16 micro-tiles. Sizes for Zen 3:
/// a kc×16 B micro-panel (16 KiB) stays in the 32 KiB L1d while the mc×kc A block (144 KiB) streams from the
/// 512 KiB L2; the kc×nc B block lives in L3.
/// </summary>
internal static unsafe class Sgemm
{
    public const int MR = 6;
    public const int NR = 16;
    public const int KC = 256;
    public const int MC = 144;
    public const int NC = 4096;

    /// <summary>Below this many multiply-adds a fork/join is not worth it.</summary>
    private const long ParallelMinMacs = 48 * 48 * 48;

    /// <summary>Cost of packing one element, in multiply-adds: packing is memory-bound, the kernel is not.</summary>
    private const long PackCost = 16;

    private static readonly Job s_job = new();

    public static bool SimdSupported => Avx2.IsSupported && Fma.IsSupported;

    public static void Run(SgemmArgs g)
    {
        if (g.M == 0 || g.N == 0)
        {
            return;
        }

        if (g.K == 0)
        {
            if (!g.Accumulate)
            {
                for (int i = 0; i < g.M; i++)
                {
                    new Span<float>(g.C + i * g.Ldc, g.N).Clear();
                }
            }

            return;
        }

        if (g.Simd && g.M <= Sgemv.MaxRows)
        {
            Sgemv.Run(g);
            return;
        }

        int parts = Plan(ref g);
        if (parts > 1 && WorkerPool.TryEnter())
        {
            try
            {
                s_job.Args = g;
                WorkerPool.Run(s_job, parts);
            }
            finally
            {
                WorkerPool.Exit();
            }
        }
        else
        {
            RunPart(g, 0, 1);
        }
    }

    /// <summary>
    /// Picks the number of parts and whether to split M or N: the split whose slowest part (its share of the
    /// multiply-adds plus what it must pack, A whole when splitting N, B whole when splitting M) is cheapest.
    /// </summary>
    private static int Plan(ref SgemmArgs g)
    {
        int threads = WorkerPool.Threads;
        long m = g.M, n = g.N, k = g.K;
        if (threads <= 1 || m * n * k < ParallelMinMacs)
        {
            return 1;
        }

        long packB = g.PackedB == null ? 1 : 0;
        int unitsM = (g.M + MR - 1) / MR, unitsN = (g.N + NR - 1) / NR;
        int partsM = Math.Min(threads, unitsM), partsN = Math.Min(threads, unitsN);
        long rows = Math.Min(m, (long)((unitsM + partsM - 1) / partsM) * MR);
        long cols = Math.Min(n, (long)((unitsN + partsN - 1) / partsN) * NR);
        long costM = rows * n * k + PackCost * (rows * k + packB * k * n);
        long costN = m * cols * k + PackCost * (m * k + packB * k * cols);
        g.SplitN = costN <= costM;
        return g.SplitN ? partsN : partsM;
    }

    /// <summary>[start, end) of part <paramref name="part"/> when <paramref name="total"/> is cut on multiples of <paramref name="align"/>.</summary>
    public static (int Start, int End) Split(int total, int align, int part, int parts)
    {
        long units = (total + align - 1) / align;
        int start = (int)(units * part / parts) * align;
        int end = (int)(units * (part + 1) / parts) * align;
        return (Math.Min(total, start), Math.Min(total, end));
    }

    public static void RunPart(in SgemmArgs g, int part, int parts)
    {
        int m0 = 0, m1 = g.M, n0 = 0, n1 = g.N;
        if (g.SplitN)
        {
            (n0, n1) = Split(g.N, NR, part, parts);
        }
        else
        {
            (m0, m1) = Split(g.M, MR, part, parts);
        }

        if (m0 >= m1 || n0 >= n1)
        {
            return;
        }

        var buffers = PackBuffers.Current;
        float* aPack = buffers.A(RoundUp(Math.Min(MC, m1 - m0), MR) * Math.Min(KC, g.K));
        float* bPack = g.PackedB == null ? buffers.B(RoundUp(Math.Min(NC, n1 - n0), NR) * Math.Min(KC, g.K)) : null;
        float* edge = stackalloc float[MR * NR];
        for (int jc = n0; jc < n1; jc += NC)
        {
            int nc = Math.Min(NC, n1 - jc);
            for (int pc = 0; pc < g.K; pc += KC)
            {
                int kc = Math.Min(KC, g.K - pc);
                float* bBlock;
                if (g.PackedB != null)
                {
                    // Slice pc starts at pc·stride; its panel holding column jc (a multiple of NR) at jc·kc.
                    bBlock = g.PackedB + pc * g.PackedStride + (nint)jc * kc;
                }
                else
                {
                    SgemmPacking.PackB(g.B, g.Ldb, g.TransB, pc, kc, jc, nc, bPack);
                    bBlock = bPack;
                }

                bool overwrite = pc == 0 && !g.Accumulate;
                for (int ic = m0; ic < m1; ic += MC)
                {
                    int mc = Math.Min(MC, m1 - ic);
                    SgemmPacking.PackA(g.A, g.Lda, g.TransA, ic, mc, pc, kc, aPack);
                    Macro(g, aPack, bBlock, ic, mc, jc, nc, kc, overwrite, edge);
                }
            }
        }
    }

    /// <summary>All micro-tiles of one packed mc×kc A block times one packed kc×nc B block.</summary>
    private static void Macro(in SgemmArgs g, float* aPack, float* bBlock, int ic, int mc, int jc, int nc, int kc, bool overwrite, float* edge)
    {
        for (int jr = 0; jr < nc; jr += NR)
        {
            int nr = Math.Min(NR, nc - jr);
            float* bPanel = bBlock + (nint)jr * kc;
            for (int ir = 0; ir < mc; ir += MR)
            {
                int mr = Math.Min(MR, mc - ir);
                float* aPanel = aPack + (nint)ir * kc;
                float* c = g.C + (ic + ir) * g.Ldc + jc + jr;
                if (mr == MR && nr == NR)
                {
                    Kernel(g.Simd, aPanel, bPanel, kc, c, g.Ldc, overwrite);
                    continue;
                }

                // Edge tile: compute the full padded tile aside, then copy the mr×nr part that exists.
                Kernel(g.Simd, aPanel, bPanel, kc, edge, NR, true);
                for (int i = 0; i < mr; i++)
                {
                    float* ci = c + i * g.Ldc;
                    for (int j = 0; j < nr; j++)
                    {
                        ci[j] = overwrite ? edge[i * NR + j] : ci[j] + edge[i * NR + j];
                    }
                }
            }
        }
    }

    private static void Kernel(bool simd, float* a, float* b, int kc, float* c, nint ldc, bool overwrite)
    {
        if (simd)
        {
            SgemmKernels.Avx2(a, b, kc, c, ldc, overwrite);
        }
        else
        {
            SgemmKernels.Portable(a, b, kc, c, ldc, overwrite);
        }
    }

    public static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

    private sealed class Job : ParallelJob
    {
        public SgemmArgs Args;

        public override void Run(int part, int parts) => RunPart(Args, part, parts);
    }
}
