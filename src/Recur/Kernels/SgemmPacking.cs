using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>
/// Copies blocks of op(A) and op(B) into the panel layouts the micro-kernel reads sequentially, zero-padding the
/// last panel so the kernel always computes a full MR×NR tile. All four transposition cases are handled here, so
/// the kernel sees a single layout.
/// </summary>
internal static unsafe class SgemmPacking
{
    private const int MR = Sgemm.MR;
    private const int NR = Sgemm.NR;

    /// <summary>
    /// Packs op(A)[i0 : i0+mc, p0 : p0+kc] into <paramref name="dst"/>: panels of MR rows, panel r at
    /// <c>dst + r·MR·kc</c>, holding for each p the MR values op(A)[i, p] of its rows (kc×MR, row-major).
    /// </summary>
    public static void PackA(float* a, nint lda, bool transA, int i0, int mc, int p0, int kc, float* dst)
    {
        for (int ir = 0; ir < mc; ir += MR)
        {
            int rows = Math.Min(MR, mc - ir);
            float* panel = dst + (nint)ir * kc;
            if (transA)
            {
                // op(A)[i, p] = a[p·lda + i]: each p is a contiguous run of the panel's rows.
                float* src = a + (nint)p0 * lda + i0 + ir;
                for (int p = 0; p < kc; p++, src += lda, panel += MR)
                {
                    int r = 0;
                    for (; r < rows; r++)
                    {
                        panel[r] = src[r];
                    }

                    for (; r < MR; r++)
                    {
                        panel[r] = 0f;
                    }
                }
            }
            else if (rows == MR)
            {
                float* s0 = a + (nint)(i0 + ir) * lda + p0;
                float* s1 = s0 + lda, s2 = s1 + lda, s3 = s2 + lda, s4 = s3 + lda, s5 = s4 + lda;
                for (int p = 0; p < kc; p++, panel += MR)
                {
                    panel[0] = s0[p];
                    panel[1] = s1[p];
                    panel[2] = s2[p];
                    panel[3] = s3[p];
                    panel[4] = s4[p];
                    panel[5] = s5[p];
                }
            }
            else
            {
                for (int r = 0; r < MR; r++)
                {
                    float* src = a + (nint)(i0 + ir + r) * lda + p0;
                    for (int p = 0; p < kc; p++)
                    {
                        panel[p * MR + r] = r < rows ? src[p] : 0f;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packs op(B)[p0 : p0+kc, j0 : j0+nc] into <paramref name="dst"/>: panels of NR columns, panel j at
    /// <c>dst + j·kc</c> (j a multiple of NR), holding for each p the NR values op(B)[p, j..j+NR) (kc×NR, row-major).
    /// </summary>
    public static void PackB(float* b, nint ldb, bool transB, int p0, int kc, int j0, int nc, float* dst)
    {
        for (int jr = 0; jr < nc; jr += NR)
        {
            int cols = Math.Min(NR, nc - jr);
            float* panel = dst + (nint)jr * kc;
            if (!transB && cols == NR)
            {
                // op(B)[p, j] = b[p·ldb + j]: each p is one contiguous cache line of the panel.
                float* src = b + (nint)p0 * ldb + j0 + jr;
                for (int p = 0; p < kc; p++, src += ldb, panel += NR)
                {
                    Vector256.Store(Vector256.Load(src), panel);
                    Vector256.Store(Vector256.Load(src + 8), panel + 8);
                }
            }
            else if (!transB)
            {
                float* src = b + (nint)p0 * ldb + j0 + jr;
                for (int p = 0; p < kc; p++, src += ldb, panel += NR)
                {
                    int c = 0;
                    for (; c < cols; c++)
                    {
                        panel[c] = src[c];
                    }

                    for (; c < NR; c++)
                    {
                        panel[c] = 0f;
                    }
                }
            }
            else
            {
                // op(B)[p, j] = b[j·ldb + p]: read each stored row contiguously, scatter down a panel column.
                for (int c = 0; c < NR; c++)
                {
                    float* src = b + (nint)(j0 + jr + c) * ldb + p0;
                    if (c < cols)
                    {
                        for (int p = 0; p < kc; p++)
                        {
                            panel[p * NR + c] = src[p];
                        }
                    }
                    else
                    {
                        for (int p = 0; p < kc; p++)
                        {
                            panel[p * NR + c] = 0f;
                        }
                    }
                }
            }
        }
    }
}
