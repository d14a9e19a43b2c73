namespace Recur.Kernels;

/// <summary>
/// General matrix multiply on float32 row-major matrices: effectively computes
/// <c>C[m×n] = (accumulate ? C : 0) + op(A)[m×k] · op(B)[k×n]</c>, where op(X) is X or Xᵀ.
/// </summary>
/// <remarks>
/// Storage: with <c>transA == false</c> A is stored m×k (element (i, p) at <c>a[i·lda + p]</c>); with
/// <c>transA == true</c> it is stored k×m (element (i, p) of op(A) at <c>a[p·lda + i]</c>). Likewise for B.
/// This is the entry point every layer uses; the fast implementation and its scalar reference live beside it.
/// </remarks>
public static partial class Gemm
{
    /// <summary>C = (accumulate ? C : 0) + op(A)·op(B). See the type remarks for the storage convention.</summary>
    public static void Multiply(
        ReadOnlySpan<float> a, int lda, bool transA,
        ReadOnlySpan<float> b, int ldb, bool transB,
        int m, int n, int k,
        Span<float> c, int ldc, bool accumulate)
    {
        CheckOperand(a, lda, transA ? k : m, transA ? m : k, nameof(a), nameof(lda));
        CheckOperand(b, ldb, transB ? n : k, transB ? k : n, nameof(b), nameof(ldb));
        CheckOperand(c, ldc, m, n, nameof(c), nameof(ldc));
        GemmReference.Multiply(a, lda, transA, b, ldb, transB, m, n, k, c, ldc, accumulate);
    }

    /// <summary>
    /// C = (accumulate ? C : 0) + op(A)·B where B was packed once by <see cref="PackedMatrix.Pack"/>; used for a
    /// weight matrix that multiplies every time step.
    /// </summary>
    public static void Multiply(
        ReadOnlySpan<float> a, int lda, bool transA,
        PackedMatrix b,
        int m,
        Span<float> c, int ldc, bool accumulate)
    {
        ArgumentNullException.ThrowIfNull(b);
        CheckOperand(a, lda, transA ? b.Rows : m, transA ? m : b.Rows, nameof(a), nameof(lda));
        CheckOperand(c, ldc, m, b.Columns, nameof(c), nameof(ldc));
        GemmReference.Multiply(a, lda, transA, b.Data, b.Columns, false, m, b.Columns, b.Rows, c, ldc, accumulate);
    }

    internal static void CheckOperand(ReadOnlySpan<float> x, int ld, int rows, int cols, string name, string ldName)
    {
        if (rows < 0 || cols < 0)
        {
            throw new ArgumentOutOfRangeException(name, $"Matrix sizes must be >= 0, got {rows}x{cols}.");
        }

        if (ld < Math.Max(1, cols))
        {
            throw new ArgumentOutOfRangeException(ldName, $"Leading dimension must be >= {Math.Max(1, cols)} (columns of the stored matrix), got {ld}.");
        }

        long needed = rows == 0 || cols == 0 ? 0 : (long)(rows - 1) * ld + cols;
        if (x.Length < needed)
        {
            throw new ArgumentException($"A stored {rows}x{cols} matrix with leading dimension {ld} needs {needed} values, got {x.Length}.", name);
        }
    }
}

/// <summary>
/// The right operand of a GEMM, op(B) of shape k×n, laid out once in the form the kernel reads fastest. Packing a
/// weight matrix before a time loop saves repacking it at every step. Reusable: <see cref="Pack"/> reuses memory.
/// </summary>
public sealed class PackedMatrix
{
    internal float[] Data = [];

    /// <summary>k: rows of op(B).</summary>
    public int Rows { get; private set; }

    /// <summary>n: columns of op(B).</summary>
    public int Columns { get; private set; }

    /// <summary>Packs op(B) (k×n; B stored k×n, or n×k when <paramref name="transB"/>) into this object.</summary>
    public void Pack(ReadOnlySpan<float> b, int ldb, bool transB, int k, int n)
    {
        Gemm.CheckOperand(b, ldb, transB ? n : k, transB ? k : n, nameof(b), nameof(ldb));
        if (Data.Length < k * n)
        {
            Data = new float[k * n];
        }

        Rows = k;
        Columns = n;
        for (int p = 0; p < k; p++)
        {
            for (int j = 0; j < n; j++)
            {
                Data[p * n + j] = transB ? b[j * ldb + p] : b[p * ldb + j];
            }
        }
    }
}

/// <summary>The plain triple loop, kept forever as the reference the fast kernel is tested against.</summary>
internal static class GemmReference
{
    public static void Multiply(
        ReadOnlySpan<float> a, int lda, bool transA,
        ReadOnlySpan<float> b, int ldb, bool transB,
        int m, int n, int k,
        Span<float> c, int ldc, bool accumulate)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++)
                {
                    float aip = transA ? a[p * lda + i] : a[i * lda + p];
                    float bpj = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += aip * bpj;
                }

                c[i * ldc + j] = accumulate ? c[i * ldc + j] + sum : sum;
            }
        }
    }
}
