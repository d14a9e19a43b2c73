using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recur.Kernels;

/// <summary>
/// The small-m path (m ≤ 4, e.g. batch-1 inference): matrix-vector products bound by how fast B streams from
/// memory, not by FMAs. Each part owns a range of columns of C and reads its share of B once, in storage order:
/// rows of a k×n B (axpy), rows of an n×k B (dot products), or the panels of a <see cref="PackedMatrix"/>
/// front to back. op(A) is at most 4 rows, so it stays in L1.
/// </summary>
internal static unsafe class Sgemv
{
    public const int MaxRows = 4;

    /// <summary>Below this many multiply-adds (about 128 KiB of B) one core streams B faster than two can fork.</summary>
    private const long ParallelMinMacs = 128 * 1024;

    /// <summary>
    /// Column parts per thread. The pool gives each thread the same run of parts every call, so a weight matrix
    /// stays split across the L2s over a time loop; the extra parts let a free core steal from a slowed one.
    /// </summary>
    private const int PartsPerThread = 4;

    private static readonly Job s_job = new();

    public static void Run(SgemmArgs g)
    {
        if (g.TransA)
        {
            // Make each row of op(A) contiguous: x[i·k + p] = a[p·lda + i] (m×k).
            float* x = PackBuffers.Current.X(g.M * g.K);
            for (int p = 0; p < g.K; p++)
            {
                for (int i = 0; i < g.M; i++)
                {
                    x[i * g.K + p] = g.A[p * g.Lda + i];
                }
            }

            g.A = x;
            g.Lda = g.K;
            g.TransA = false;
        }

        int threads = WorkerPool.Threads;
        int parts = threads > 1 && (long)g.M * g.N * g.K >= ParallelMinMacs
            ? Math.Min((g.N + Sgemm.NR - 1) / Sgemm.NR, Math.Min(WorkerPool.MaxParts, threads * PartsPerThread))
            : 1;
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

    /// <summary>Columns [j0, j1) of C, j0 a multiple of NR so packed panels are never shared between parts.</summary>
    private static void RunPart(in SgemmArgs g, int part, int parts)
    {
        (int j0, int j1) = Sgemm.Split(g.N, Sgemm.NR, part, parts);
        if (j0 >= j1)
        {
            return;
        }

        if (g.PackedB != null)
        {
            Packed(g, j0, j1);
        }
        else if (g.TransB)
        {
            Dots(g, j0, j1);
        }
        else
        {
            Axpys(g, j0, j1);
        }
    }

    /// <summary>Packed B: for each KC slice, each 16-column panel is read once, front to back.</summary>
    private static void Packed(in SgemmArgs g, int j0, int j1)
    {
        float* res = stackalloc float[MaxRows * Sgemm.NR];
        for (int pc = 0; pc < g.K; pc += Sgemm.KC)
        {
            int kc = Math.Min(Sgemm.KC, g.K - pc);
            float* slice = g.PackedB + pc * g.PackedStride;
            bool overwrite = pc == 0 && !g.Accumulate;
            for (int j = j0; j < j1; j += Sgemm.NR)
            {
                float* panel = slice + (nint)j * kc;
                if (g.M == 1)
                {
                    PanelOneRow(g.A + pc, panel, kc, res);
                }
                else
                {
                    PanelRows(g.A + pc, g.Lda, g.M, panel, kc, res);
                }

                int cols = Math.Min(Sgemm.NR, g.N - j);
                for (int i = 0; i < g.M; i++)
                {
                    float* c = g.C + i * g.Ldc + j;
                    float* r = res + i * Sgemm.NR;
                    for (int jj = 0; jj < cols; jj++)
                    {
                        c[jj] = overwrite ? r[jj] : c[jj] + r[jj];
                    }
                }
            }
        }
    }

    /// <summary>res[0..16) = x[0..kc)·panel (kc×16). Four k-phases give 8 accumulators to hide the FMA latency.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PanelOneRow(float* x, float* panel, int kc, float* res)
    {
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
        Vector256<float> s4 = default, s5 = default, s6 = default, s7 = default;
        int p = 0;
        for (; p + 4 <= kc; p += 4, panel += 4 * Sgemm.NR)
        {
            Vector256<float> x0 = Avx.BroadcastScalarToVector256(x + p);
            Vector256<float> x1 = Avx.BroadcastScalarToVector256(x + p + 1);
            Vector256<float> x2 = Avx.BroadcastScalarToVector256(x + p + 2);
            Vector256<float> x3 = Avx.BroadcastScalarToVector256(x + p + 3);
            s0 = Fma.MultiplyAdd(x0, Avx.LoadVector256(panel), s0);
            s1 = Fma.MultiplyAdd(x0, Avx.LoadVector256(panel + 8), s1);
            s2 = Fma.MultiplyAdd(x1, Avx.LoadVector256(panel + 16), s2);
            s3 = Fma.MultiplyAdd(x1, Avx.LoadVector256(panel + 24), s3);
            s4 = Fma.MultiplyAdd(x2, Avx.LoadVector256(panel + 32), s4);
            s5 = Fma.MultiplyAdd(x2, Avx.LoadVector256(panel + 40), s5);
            s6 = Fma.MultiplyAdd(x3, Avx.LoadVector256(panel + 48), s6);
            s7 = Fma.MultiplyAdd(x3, Avx.LoadVector256(panel + 56), s7);
        }

        for (; p < kc; p++, panel += Sgemm.NR)
        {
            Vector256<float> x0 = Avx.BroadcastScalarToVector256(x + p);
            s0 = Fma.MultiplyAdd(x0, Avx.LoadVector256(panel), s0);
            s1 = Fma.MultiplyAdd(x0, Avx.LoadVector256(panel + 8), s1);
        }

        Avx.Store(res, Avx.Add(Avx.Add(s0, s2), Avx.Add(s4, s6)));
        Avx.Store(res + 8, Avx.Add(Avx.Add(s1, s3), Avx.Add(s5, s7)));
    }

    /// <summary>
    /// res[i·16 + j] = x_i[0..kc)·panel for the 2 to 4 rows x_i = x + i·ldx. Missing rows alias the last one, so
    /// the loop has no branches; their results are ignored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PanelRows(float* x, nint ldx, int rows, float* panel, int kc, float* res)
    {
        float* x0 = x, x1 = x + ldx, x2 = x + Math.Min(2, rows - 1) * ldx, x3 = x + Math.Min(3, rows - 1) * ldx;
        Vector256<float> s00 = default, s01 = default, s10 = default, s11 = default;
        Vector256<float> s20 = default, s21 = default, s30 = default, s31 = default;
        for (int p = 0; p < kc; p++, panel += Sgemm.NR)
        {
            Vector256<float> b0 = Avx.LoadVector256(panel);
            Vector256<float> b1 = Avx.LoadVector256(panel + 8);
            Vector256<float> v = Avx.BroadcastScalarToVector256(x0 + p);
            s00 = Fma.MultiplyAdd(v, b0, s00);
            s01 = Fma.MultiplyAdd(v, b1, s01);
            v = Avx.BroadcastScalarToVector256(x1 + p);
            s10 = Fma.MultiplyAdd(v, b0, s10);
            s11 = Fma.MultiplyAdd(v, b1, s11);
            v = Avx.BroadcastScalarToVector256(x2 + p);
            s20 = Fma.MultiplyAdd(v, b0, s20);
            s21 = Fma.MultiplyAdd(v, b1, s21);
            v = Avx.BroadcastScalarToVector256(x3 + p);
            s30 = Fma.MultiplyAdd(v, b0, s30);
            s31 = Fma.MultiplyAdd(v, b1, s31);
        }

        Avx.Store(res, s00);
        Avx.Store(res + 8, s01);
        Avx.Store(res + 16, s10);
        Avx.Store(res + 24, s11);
        Avx.Store(res + 32, s20);
        Avx.Store(res + 40, s21);
        Avx.Store(res + 48, s30);
        Avx.Store(res + 56, s31);
    }

    /// <summary>
    /// B stored k×n: C[i, j0..j1) += Σ_p x_i[p]·B[p, j0..j1), four rows of B at a time so each y vector is loaded and
    /// stored once per four FMAs. The part's y rows (≤ 4×j1−j0 floats) stay in L1 while B streams.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Axpys(in SgemmArgs g, int j0, int j1)
    {
        if (!g.Accumulate)
        {
            for (int i = 0; i < g.M; i++)
            {
                new Span<float>(g.C + i * g.Ldc + j0, j1 - j0).Clear();
            }
        }

        int p = 0;
        for (; p + 4 <= g.K; p += 4)
        {
            float* b0 = g.B + p * g.Ldb, b1 = b0 + g.Ldb, b2 = b1 + g.Ldb, b3 = b2 + g.Ldb;
            for (int i = 0; i < g.M; i++)
            {
                float* x = g.A + i * g.Lda + p;
                float* y = g.C + i * g.Ldc;
                Vector256<float> x0 = Vector256.Create(x[0]), x1 = Vector256.Create(x[1]);
                Vector256<float> x2 = Vector256.Create(x[2]), x3 = Vector256.Create(x[3]);
                int j = j0;
                for (; j + 8 <= j1; j += 8)
                {
                    Vector256<float> acc = Avx.LoadVector256(y + j);
                    acc = Fma.MultiplyAdd(x0, Avx.LoadVector256(b0 + j), acc);
                    acc = Fma.MultiplyAdd(x1, Avx.LoadVector256(b1 + j), acc);
                    acc = Fma.MultiplyAdd(x2, Avx.LoadVector256(b2 + j), acc);
                    acc = Fma.MultiplyAdd(x3, Avx.LoadVector256(b3 + j), acc);
                    Avx.Store(y + j, acc);
                }

                for (; j < j1; j++)
                {
                    y[j] += x[0] * b0[j] + x[1] * b1[j] + x[2] * b2[j] + x[3] * b3[j];
                }
            }
        }

        for (; p < g.K; p++)
        {
            float* b0 = g.B + p * g.Ldb;
            for (int i = 0; i < g.M; i++)
            {
                float xp = g.A[i * g.Lda + p];
                float* y = g.C + i * g.Ldc;
                for (int j = j0; j < j1; j++)
                {
                    y[j] += xp * b0[j];
                }
            }
        }
    }

    /// <summary>
    /// B stored n×k: C[i, j] (=|+=) x_i·B[j, :], four rows of B at a time (each read contiguously) with two
    /// accumulators per row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dots(in SgemmArgs g, int j0, int j1)
    {
        int k = g.K;
        int j = j0;
        for (; j + 4 <= j1; j += 4)
        {
            float* r0 = g.B + j * g.Ldb, r1 = r0 + g.Ldb, r2 = r1 + g.Ldb, r3 = r2 + g.Ldb;
            for (int i = 0; i < g.M; i++)
            {
                float* x = g.A + i * g.Lda;
                Vector256<float> s00 = default, s01 = default, s10 = default, s11 = default;
                Vector256<float> s20 = default, s21 = default, s30 = default, s31 = default;
                int p = 0;
                for (; p + 16 <= k; p += 16)
                {
                    Vector256<float> xa = Avx.LoadVector256(x + p), xb = Avx.LoadVector256(x + p + 8);
                    s00 = Fma.MultiplyAdd(xa, Avx.LoadVector256(r0 + p), s00);
                    s01 = Fma.MultiplyAdd(xb, Avx.LoadVector256(r0 + p + 8), s01);
                    s10 = Fma.MultiplyAdd(xa, Avx.LoadVector256(r1 + p), s10);
                    s11 = Fma.MultiplyAdd(xb, Avx.LoadVector256(r1 + p + 8), s11);
                    s20 = Fma.MultiplyAdd(xa, Avx.LoadVector256(r2 + p), s20);
                    s21 = Fma.MultiplyAdd(xb, Avx.LoadVector256(r2 + p + 8), s21);
                    s30 = Fma.MultiplyAdd(xa, Avx.LoadVector256(r3 + p), s30);
                    s31 = Fma.MultiplyAdd(xb, Avx.LoadVector256(r3 + p + 8), s31);
                }

                float d0 = Vector256.Sum(s00 + s01), d1 = Vector256.Sum(s10 + s11);
                float d2 = Vector256.Sum(s20 + s21), d3 = Vector256.Sum(s30 + s31);
                for (; p < k; p++)
                {
                    d0 += x[p] * r0[p];
                    d1 += x[p] * r1[p];
                    d2 += x[p] * r2[p];
                    d3 += x[p] * r3[p];
                }

                float* c = g.C + i * g.Ldc + j;
                Put(c, d0, g.Accumulate);
                Put(c + 1, d1, g.Accumulate);
                Put(c + 2, d2, g.Accumulate);
                Put(c + 3, d3, g.Accumulate);
            }
        }

        for (; j < j1; j++)
        {
            float* r = g.B + j * g.Ldb;
            for (int i = 0; i < g.M; i++)
            {
                float* x = g.A + i * g.Lda;
                Vector256<float> s0 = default, s1 = default;
                int p = 0;
                for (; p + 16 <= k; p += 16)
                {
                    s0 = Fma.MultiplyAdd(Avx.LoadVector256(x + p), Avx.LoadVector256(r + p), s0);
                    s1 = Fma.MultiplyAdd(Avx.LoadVector256(x + p + 8), Avx.LoadVector256(r + p + 8), s1);
                }

                float d = Vector256.Sum(s0 + s1);
                for (; p < k; p++)
                {
                    d += x[p] * r[p];
                }

                Put(g.C + i * g.Ldc + j, d, g.Accumulate);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* c, float value, bool accumulate) => *c = accumulate ? *c + value : value;

    private sealed class Job : ParallelJob
    {
        public SgemmArgs Args;

        public override void Run(int part, int parts) => RunPart(Args, part, parts);
    }
}
