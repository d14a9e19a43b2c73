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
        Run(a, lda, transA, b, ldb, transB, m, n, k, c, ldc, accumulate, Sgemm.SimdSupported);
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
        Run(a, lda, transA, b, m, c, ldc, accumulate, Sgemm.SimdSupported);
    }

    /// <summary>Checked entry point for raw B; <paramref name="simd"/> false forces the portable kernels (tests).</summary>
    internal static unsafe void Run(
        ReadOnlySpan<float> a, int lda, bool transA,
        ReadOnlySpan<float> b, int ldb, bool transB,
        int m, int n, int k,
        Span<float> c, int ldc, bool accumulate, bool simd)
    {
        fixed (float* pa = a, pb = b, pc = c)
        {
            Sgemm.Run(new SgemmArgs
            {
                A = pa, Lda = lda, TransA = transA,
                B = pb, Ldb = ldb, TransB = transB,
                M = m, N = n, K = k,
                C = pc, Ldc = ldc, Accumulate = accumulate, Simd = simd,
            });
        }
    }

    /// <summary>Checked entry point for packed B; <paramref name="simd"/> false forces the portable kernels (tests).</summary>
    internal static unsafe void Run(
        ReadOnlySpan<float> a, int lda, bool transA,
        PackedMatrix b,
        int m,
        Span<float> c, int ldc, bool accumulate, bool simd)
    {
        fixed (float* pa = a, pc = c)
        {
            Sgemm.Run(new SgemmArgs
            {
                A = pa, Lda = lda, TransA = transA,
                PackedB = b.Data, PackedStride = b.Stride,
                M = m, N = b.Columns, K = b.Rows,
                C = pc, Ldc = ldc, Accumulate = accumulate, Simd = simd,
            });
        }
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
/// <remarks>
/// Layout: slices of up to 256 rows of op(B) (the kernel's KC); slice s starts at <c>s·256·Stride</c>, Stride = n
/// rounded up to 16. Within a slice of kc rows, columns come in panels of 16 (the last zero-padded); panel j/16
/// starts at <c>j·kc</c> and holds kc rows of 16 contiguous values. The GEMM kernel reads one panel per micro-tile,
/// and the m = 1 path streams the whole buffer front to back.
/// </remarks>
public sealed unsafe class PackedMatrix
{
    private float[]? _storage;

    /// <summary>Start of the packed values, 64-byte aligned, in a pinned array.</summary>
    internal float* Data { get; private set; }

    /// <summary>Floats per row of op(B) in the packed layout: n rounded up to 16.</summary>
    internal int Stride { get; private set; }

    /// <summary>k: rows of op(B).</summary>
    public int Rows { get; private set; }

    /// <summary>n: columns of op(B).</summary>
    public int Columns { get; private set; }

    /// <summary>Packs op(B) (k×n; B stored k×n, or n×k when <paramref name="transB"/>) into this object.</summary>
    public void Pack(ReadOnlySpan<float> b, int ldb, bool transB, int k, int n)
    {
        Gemm.CheckOperand(b, ldb, transB ? n : k, transB ? k : n, nameof(b), nameof(ldb));
        int stride = Sgemm.RoundUp(n, Sgemm.NR);
        Data = PackBuffers.Ensure(ref _storage, checked(stride * k));
        Stride = stride;
        Rows = k;
        Columns = n;
        fixed (float* pb = b)
        {
            for (int pc = 0; pc < k; pc += Sgemm.KC)
            {
                SgemmPacking.PackB(pb, ldb, transB, pc, Math.Min(Sgemm.KC, k - pc), 0, n, Data + (nint)pc * stride);
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
