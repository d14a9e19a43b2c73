using Recur.Kernels;

namespace Recur.Tests.Kernels;

[Collection(Recur.Tests.Layers.AllocationSensitive.Name)]
public class GemmTests
{
    // Every tail of the 6×16 tile, the small-m path (m ≤ 4) and empty matrices.
    private static readonly int[] SmallSizes = [0, 1, 2, 3, 5, 6, 7, 16, 17, 33];

    // Larger shapes: k > 256 crosses a KC slice, m > 144 an MC block, and all are big enough to run on two threads.
    private static readonly (int M, int N, int K)[] LargeShapes =
    [
        (100, 257, 64), (257, 100, 300), (40, 520, 257), (7, 300, 513), (150, 31, 600),
        (1, 1000, 300), (2, 257, 513), (3, 64, 257), (4, 400, 100),
    ];

    public static TheoryData<bool, bool> Transpositions => new() { { false, false }, { false, true }, { true, false }, { true, true } };

    [Theory]
    [MemberData(nameof(Transpositions))]
    public void Fast_kernel_matches_double_reference_for_every_small_size(bool transA, bool transB)
    {
        int case_ = 0;
        foreach (int m in SmallSizes)
        {
            foreach (int n in SmallSizes)
            {
                foreach (int k in SmallSizes)
                {
                    CheckAgainstReference(m, n, k, transA, transB, accumulate: case_ % 2 == 1, BOperand.Raw, simd: true, pad: case_ % 3, seed: case_);
                    case_++;
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Transpositions))]
    public void Fast_kernel_matches_double_reference_for_large_shapes_in_both_accumulate_modes(bool transA, bool transB)
    {
        int case_ = 0;
        foreach ((int m, int n, int k) in LargeShapes)
        {
            foreach (bool accumulate in new[] { false, true })
            {
                CheckAgainstReference(m, n, k, transA, transB, accumulate, BOperand.Raw, simd: true, pad: case_ % 3, seed: 1000 + case_);
                case_++;
            }
        }
    }

    [Theory]
    [MemberData(nameof(Transpositions))]
    public void Packed_b_matches_double_reference_for_small_and_large_shapes(bool transA, bool transB)
    {
        int case_ = 0;
        foreach (int m in SmallSizes)
        {
            foreach (int n in SmallSizes)
            {
                CheckAgainstReference(m, n, 17, transA, transB, accumulate: case_ % 2 == 0, BOperand.Packed, simd: true, pad: case_ % 3, seed: 2000 + case_);
                case_++;
            }
        }

        foreach ((int m, int n, int k) in LargeShapes)
        {
            foreach (bool accumulate in new[] { false, true })
            {
                CheckAgainstReference(m, n, k, transA, transB, accumulate, BOperand.Packed, simd: true, pad: case_ % 3, seed: 2000 + case_);
                case_++;
            }
        }
    }

    [Theory]
    [MemberData(nameof(Transpositions))]
    public void Portable_kernel_matches_double_reference(bool transA, bool transB)
    {
        int case_ = 0;
        foreach ((int m, int n, int k) in new[] { (1, 1, 1), (5, 17, 3), (7, 33, 16), (3, 20, 300), (100, 257, 64) })
        {
            foreach (BOperand operand in new[] { BOperand.Raw, BOperand.Packed })
            {
                CheckAgainstReference(m, n, k, transA, transB, accumulate: case_ % 2 == 1, operand, simd: false, pad: case_ % 3, seed: 3000 + case_);
                case_++;
            }
        }
    }

    [Fact]
    public void Scalar_reference_matches_double_reference()
    {
        CheckAgainstReference(7, 9, 11, transA: true, transB: false, accumulate: true, BOperand.Reference, simd: false, pad: 2, seed: 4000);
        CheckAgainstReference(6, 5, 4, transA: false, transB: true, accumulate: false, BOperand.Reference, simd: false, pad: 1, seed: 4001);
    }

    [Theory]
    [InlineData(1, 300, 200)]
    [InlineData(9, 300, 200)]
    [InlineData(200, 300, 0)]
    public void Overwrite_ignores_nan_already_in_c(int m, int n, int k)
    {
        var rng = new Rng(5);
        float[] a = Random(rng, m * k), b = Random(rng, k * n);
        var packed = new PackedMatrix();
        packed.Pack(b, n, false, k, n);
        foreach (bool usePacked in new[] { false, true })
        {
            float[] c = new float[m * n];
            Array.Fill(c, float.NaN);
            if (usePacked)
            {
                Gemm.Multiply(a, Math.Max(1, k), false, packed, m, c, n, accumulate: false);
            }
            else
            {
                Gemm.Multiply(a, Math.Max(1, k), false, b, n, false, m, n, k, c, n, accumulate: false);
            }

            Assert.All(c, v => Assert.True(float.IsFinite(v)));
        }
    }

    [Fact]
    public void Too_small_leading_dimension_names_the_argument()
    {
        float[] x = new float[64];
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(x, 3, false, x, 4, false, 4, 4, 4, x, 4, false));
        Assert.Equal("lda", e.ParamName);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(x, 4, false, x, 3, true, 4, 4, 4, x, 4, false));
        Assert.Equal("ldb", e.ParamName);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(x, 4, false, x, 4, false, 4, 5, 4, x, 4, false));
        Assert.Equal("ldb", e.ParamName);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(x, 4, false, x, 5, false, 4, 5, 4, x, 4, false));
        Assert.Equal("ldc", e.ParamName);
    }

    [Fact]
    public void Too_short_span_names_the_argument()
    {
        float[] big = new float[64], small = new float[15];
        var e = Assert.Throws<ArgumentException>(() => Gemm.Multiply(small, 4, false, big, 4, false, 4, 4, 4, big, 4, false));
        Assert.Equal("a", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => Gemm.Multiply(big, 4, false, small, 4, false, 4, 4, 4, big, 4, false));
        Assert.Equal("b", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => Gemm.Multiply(big, 4, false, big, 4, false, 4, 4, 4, small, 4, false));
        Assert.Equal("c", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => new PackedMatrix().Pack(small, 4, true, 4, 4));
        Assert.Equal("b", e.ParamName);

        var packed = new PackedMatrix();
        packed.Pack(big, 8, false, 8, 8);
        e = Assert.Throws<ArgumentException>(() => Gemm.Multiply(small, 8, false, packed, 2, big, 8, false));
        Assert.Equal("a", e.ParamName);
    }

    [Fact]
    public void Repacking_a_smaller_matrix_into_the_same_object_gives_its_product()
    {
        var packed = new PackedMatrix();
        var rng = new Rng(6);
        packed.Pack(Random(rng, 300 * 200), 200, false, 300, 200);
        float[] b = Random(rng, 40 * 24), a = Random(rng, 10 * 40);
        packed.Pack(b, 40, true, 40, 24);
        Assert.Equal(40, packed.Rows);
        Assert.Equal(24, packed.Columns);

        float[] c = new float[10 * 24];
        Gemm.Multiply(a, 40, false, packed, 10, c, 24, accumulate: false);
        double[] expected = Reference(a, 40, false, b, 40, true, 10, 24, 40, c, 24, accumulate: false);
        AssertClose(expected, c, 24, 10, 24, Tolerance(40, a, b));
    }

    [Fact]
    public void Concurrent_callers_on_two_threads_both_get_correct_results()
    {
        var rng = new Rng(7);
        const int M = 96, N = 256, K = 128;
        float[] a = Random(rng, M * K), b = Random(rng, K * N);
        double[] expected = Reference(a, K, false, b, N, false, M, N, K, new float[M * N], N, accumulate: false);
        double tolerance = Tolerance(K, a, b);
        var failures = 0;
        var threads = new Thread[2];
        for (int t = 0; t < threads.Length; t++)
        {
            threads[t] = new Thread(() =>
            {
                float[] c = new float[M * N];
                for (int rep = 0; rep < 50; rep++)
                {
                    Gemm.Multiply(a, K, false, b, N, false, M, N, K, c, N, accumulate: false);
                    for (int i = 0; i < c.Length; i++)
                    {
                        if (Math.Abs(c[i] - expected[i]) > tolerance)
                        {
                            Interlocked.Increment(ref failures);
                            return;
                        }
                    }
                }
            });
            threads[t].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        Assert.Equal(0, failures);
    }

    [Fact]
    public void Max_threads_one_runs_on_the_caller_with_the_same_result_and_rejects_zero()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Parallelism.MaxThreads = 0);
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = 1;
            CheckAgainstReference(200, 300, 100, false, false, accumulate: true, BOperand.Raw, simd: true, pad: 1, seed: 8);
            CheckAgainstReference(1, 1000, 300, false, true, accumulate: false, BOperand.Raw, simd: true, pad: 0, seed: 9);
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }

    [Fact]
    public void Steady_state_calls_allocate_nothing()
    {
        var rng = new Rng(10);
        const int M = 256, N = 256, K = 256;
        float[] a = Random(rng, M * K), b = Random(rng, K * N), c = new float[M * N];
        var packed = new PackedMatrix();
        packed.Pack(b, N, false, K, N);

        void Calls()
        {
            Gemm.Multiply(a, K, false, b, N, false, M, N, K, c, N, accumulate: false);
            Gemm.Multiply(a, M, true, b, K, true, M, N, K, c, N, accumulate: true);
            Gemm.Multiply(a, K, false, packed, M, c, N, accumulate: true);
            Gemm.Multiply(a, K, false, packed, 1, c, N, accumulate: false);
            Gemm.Multiply(a, K, false, b, K, true, 2, N, K, c, N, accumulate: false);
            Gemm.Multiply(a, M, true, b, N, false, 3, N, K, c, N, accumulate: true);
        }

        Recur.Tests.Layers.Allocations.AssertSteadyStateAllocatesNothing(Calls);
    }

    [Fact]
    public void Back_to_back_parallel_calls_run_every_part_exactly_once()
    {
        // Accumulating into zeros: a part run twice or skipped by a race in the pool would double or zero a block.
        var rng = new Rng(12);
        const int M = 36, N = 64, K = 64;
        float[] a = Random(rng, M * K), b = Random(rng, K * N), c = new float[M * N], first = new float[M * N];
        Gemm.Multiply(a, K, false, b, N, false, M, N, K, first, N, accumulate: false);
        for (int rep = 0; rep < 500; rep++)
        {
            Array.Clear(c);
            Gemm.Multiply(a, K, false, b, N, false, M, N, K, c, N, accumulate: true);
            Assert.Equal(first, c);
        }
    }

    [Fact]
    public void Workers_stop_spinning_and_park_soon_after_the_last_job()
    {
        var rng = new Rng(11);
        float[] a = Random(rng, 128 * 128), b = Random(rng, 128 * 128), c = new float[128 * 128];
        Gemm.Multiply(a, 128, false, b, 128, false, 128, 128, 128, c, 128, accumulate: false);
        if (WorkerPool.Threads < 2)
        {
            return;
        }

        Assert.True(WorkerPool.Started >= 1);

        // Workers spin ~100 µs after a job; poll rather than sleep a fixed time, since other tests may use the pool.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (WorkerPool.Parked < WorkerPool.Started && clock.ElapsedMilliseconds < 2000)
        {
            Thread.Sleep(5);
        }

        Assert.Equal(WorkerPool.Started, WorkerPool.Parked);
    }

    public enum BOperand
    {
        Raw,
        Packed,
        Reference,
    }

    /// <summary>Runs one GEMM with leading dimensions padded by <paramref name="pad"/> and checks every value of C.</summary>
    private static void CheckAgainstReference(int m, int n, int k, bool transA, bool transB, bool accumulate, BOperand operand, bool simd, int pad, int seed)
    {
        var rng = new Rng((ulong)seed);
        int lda = (transA ? m : k) + pad, ldb = (transB ? k : n) + 2 * pad, ldc = n + pad;
        lda = Math.Max(1, lda);
        ldb = Math.Max(1, ldb);
        ldc = Math.Max(1, ldc);
        float[] a = Random(rng, Stored(transA ? k : m, lda));
        float[] b = Random(rng, Stored(transB ? n : k, ldb));
        float[] c = Random(rng, Stored(m, ldc));
        if (!accumulate)
        {
            // Only the m×n values are C; the padding between rows must survive untouched.
            for (int i = 0; i < m; i++)
            {
                c.AsSpan(i * ldc, n).Fill(float.NaN);
            }
        }

        float[] before = (float[])c.Clone();
        double[] expected = Reference(a, lda, transA, b, ldb, transB, m, n, k, c, ldc, accumulate);
        switch (operand)
        {
            case BOperand.Raw:
                Gemm.Run(a, lda, transA, b, ldb, transB, m, n, k, c, ldc, accumulate, simd);
                break;
            case BOperand.Packed:
                var packed = new PackedMatrix();
                packed.Pack(b, ldb, transB, k, n);
                Gemm.Run(a, lda, transA, packed, m, c, ldc, accumulate, simd);
                break;
            default:
                GemmReference.Multiply(a, lda, transA, b, ldb, transB, m, n, k, c, ldc, accumulate);
                break;
        }

        string what = $"m={m} n={n} k={k} transA={transA} transB={transB} accumulate={accumulate} {operand} simd={simd}";
        AssertClose(expected, c, ldc, m, n, Tolerance(k, a, b), what);
        for (int i = 0; i < c.Length; i++)
        {
            if (i / ldc >= m || i % ldc >= n)
            {
                Assert.True(before[i].Equals(c[i]), $"{what}: padding at {i} changed");
            }
        }
    }

    private static int Stored(int rows, int ld) => rows == 0 ? 0 : (rows - 1) * ld + ld;

    /// <summary>C[i, j] = (accumulate ? C[i, j] : 0) + Σ_p op(A)[i, p]·op(B)[p, j], in double, straight from the definition.</summary>
    private static double[] Reference(float[] a, int lda, bool transA, float[] b, int ldb, bool transB, int m, int n, int k, float[] c, int ldc, bool accumulate)
    {
        double[] result = new double[m * ldc];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = accumulate ? c[i * ldc + j] : 0.0;
                for (int p = 0; p < k; p++)
                {
                    double aip = transA ? a[p * lda + i] : a[i * lda + p];
                    double bpj = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += aip * bpj;
                }

                result[i * ldc + j] = sum;
            }
        }

        return result;
    }

    private static double Tolerance(int k, float[] a, float[] b) =>
        1e-5 * Math.Sqrt(k + 1) * Math.Max(1, MaxAbs(a)) * Math.Max(1, MaxAbs(b));

    private static double MaxAbs(float[] x) => x.Length == 0 ? 0 : x.Max(v => Math.Abs(v));

    private static void AssertClose(double[] expected, float[] actual, int ldc, int m, int n, double tolerance, string what = "")
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double e = expected[i * ldc + j], x = actual[i * ldc + j];
                Assert.True(Math.Abs(e - x) <= tolerance, $"{what}: C[{i},{j}] = {x}, expected {e} (tolerance {tolerance:G3})");
            }
        }
    }

    private static float[] Random(Rng rng, int count)
    {
        float[] x = new float[count];
        rng.FillUniform(x, -1f, 1f);
        return x;
    }
}
