using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Recur.Kernels;

namespace Recur.Bench;

/// <summary>
/// `gemm`: GFLOP/s of <see cref="Gemm"/> on the shapes an RNN runs, against ONNX Runtime (MLAS) and PyTorch in the
/// same run, all on two threads. Options: --samples N (default 21), --no-peers.
/// </summary>
internal static class GemmBench
{
    private const int Threads = 2;
    private const string TorchPython = "/usr/bin/python3";

    /// <summary>C[m×n] = op(A)·op(B); Packed: B is packed once beforehand (a weight reused at every step).</summary>
    private sealed record Shape(string Name, int M, int N, int K, bool TransA, bool TransB, bool Packed)
    {
        public double Flops => 2.0 * M * N * K;
    }

    private static readonly Shape[] Shapes =
    [
        new("256x1024 @ 1024x1024", 256, 1024, 1024, false, false, false),
        new("1024 @ 1024 @ 1024", 1024, 1024, 1024, false, false, false),
        new("fwd step 64x256 @ W(1024x256)T packed", 64, 1024, 256, false, true, true),
        new("bwd step 64x1024 @ 1024x256", 64, 256, 1024, false, false, false),
        new("input proj 6400x128 @ 128x1024", 6400, 1024, 128, false, false, false),
        new("weight grad (6400x1024)T @ 6400x256", 1024, 256, 6400, true, false, false),
        new("gemv 1x256 @ W(1024x256)T packed", 1, 1024, 256, false, true, true),
        new("gemv 1x256 @ W(1024x256)T raw", 1, 1024, 256, false, true, false),
    ];

    public static int Run(string[] args)
    {
        int samples = 21;
        bool peers = true;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--samples":
                    samples = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--no-peers":
                    peers = false;
                    break;
                default:
                    Console.Error.WriteLine($"gemm: unknown option {args[i]} (options: --samples N, --no-peers)");
                    return 2;
            }
        }

        Parallelism.MaxThreads = Threads;
        Console.WriteLine($"GEMM, {Threads} threads, {Environment.ProcessorCount} logical CPUs, AVX2+FMA: {System.Runtime.Intrinsics.X86.Fma.IsSupported}; median of {samples} samples, spread = slowest..fastest");
        var ours = new Dictionary<string, Timing>();
        var ort = new Dictionary<string, Timing>();
        foreach (var shape in Shapes)
        {
            var operands = Operands.Create(shape);
            ours[shape.Name] = TimeOurs(shape, operands, samples);
            if (peers)
            {
                ort[shape.Name] = TimeOnnxRuntime(shape, operands, samples);
            }
        }

        var torch = peers ? TimeTorch(samples) : null;
        Console.WriteLine();
        Console.WriteLine($"{"shape",-40} {"ours GFLOP/s",-22} {"ONNX Runtime",-22} {"PyTorch",-22} {"ours/best",9}");
        foreach (var shape in Shapes)
        {
            Timing o = ours[shape.Name];
            Timing? r = ort.TryGetValue(shape.Name, out var rt) ? rt : null;
            Timing? t = torch is not null && torch.TryGetValue(shape.Name, out var tt) ? tt : null;
            double best = Math.Max(r is { } rv ? shape.Flops / rv.Median : 0, t is { } tv ? shape.Flops / tv.Median : 0);
            string ratio = best > 0 ? $"{shape.Flops / o.Median / best,8:P0}" : "";
            Console.WriteLine($"{shape.Name,-40} {Format(shape, o),-22} {Format(shape, r),-22} {Format(shape, t),-22} {ratio,9}");
        }

        foreach (var shape in Shapes.Where(s => s.M == 1))
        {
            // Bandwidth of a matrix-vector product: every float of B is read once.
            double bytes = 4.0 * shape.N * shape.K;
            string Gbs(Timing? x) => x is { } v ? $"{bytes / v.Median / 1e9:F0} GB/s" : "-";
            Console.WriteLine($"{shape.Name}: ours {Gbs(ours[shape.Name])}, ONNX Runtime {Gbs(ort.GetValueOrDefault(shape.Name))}, PyTorch {Gbs(torch?.GetValueOrDefault(shape.Name))}");
        }

        return 0;
    }

    private static string Format(Shape shape, Timing? timing) =>
        timing is { } t ? $"{shape.Flops / t.Median / 1e9,5:F1} ({shape.Flops / t.Max / 1e9:F0}-{shape.Flops / t.Min / 1e9:F0})" : "-";

    private static Timing TimeOurs(Shape s, Operands x, int samples)
    {
        int lda = s.TransA ? s.M : s.K, ldb = s.TransB ? s.K : s.N;
        if (s.Packed)
        {
            var packed = new PackedMatrix();
            packed.Pack(x.B, ldb, s.TransB, s.K, s.N);
            return Timer.Measure(() => Gemm.Multiply(x.A, lda, s.TransA, packed, s.M, x.C, s.N, accumulate: false), samples);
        }

        return Timer.Measure(() => Gemm.Multiply(x.A, lda, s.TransA, x.B, ldb, s.TransB, s.M, s.N, s.K, x.C, s.N, accumulate: false), samples);
    }

    private static Timing TimeOnnxRuntime(Shape s, Operands x, int samples)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = Threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        using var session = new InferenceSession(OnnxGemmModel.Build(s.M, s.N, s.K, s.TransA, s.TransB, s.Packed ? x.B : null), options);
        float[] y = new float[s.M * s.N];
        using var a = OrtValue.CreateTensorValueFromMemory(x.A, s.TransA ? [s.K, s.M] : [s.M, s.K]);
        using var b = OrtValue.CreateTensorValueFromMemory(x.B, s.TransB ? [s.N, s.K] : [s.K, s.N]);
        using var output = OrtValue.CreateTensorValueFromMemory(y, [s.M, s.N]);
        string[] inputNames = s.Packed ? ["A"] : ["A", "B"];
        OrtValue[] inputs = s.Packed ? [a] : [a, b];
        string[] outputNames = ["Y"];
        OrtValue[] outputs = [output];
        using var run = new RunOptions();
        session.Run(run, inputNames, inputs, outputNames, outputs);
        CheckSame(s, x.C, y);
        return Timer.Measure(() => session.Run(run, inputNames, inputs, outputNames, outputs), samples);
    }

    /// <summary>An honest comparison computes the same thing: ORT's result must match ours (computed just before).</summary>
    private static void CheckSame(Shape s, float[] ours, float[] theirs)
    {
        double worst = 0;
        for (int i = 0; i < theirs.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(ours[i] - theirs[i]));
        }

        if (worst > 1e-3 * Math.Sqrt(s.K))
        {
            Console.WriteLine($"WARNING {s.Name}: ONNX Runtime and Recur differ by {worst}");
        }
    }

    private static Dictionary<string, Timing>? TimeTorch(int samples)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "torch_gemm.py");
        if (!File.Exists(TorchPython) || !File.Exists(script))
        {
            Console.WriteLine($"PyTorch skipped: {TorchPython} or {script} not found");
            return null;
        }

        var request = new
        {
            threads = Threads,
            samples,
            shapes = Shapes.Select(s => new { name = s.Name, m = s.M, n = s.N, k = s.K, trans_a = s.TransA, trans_b = s.TransB }),
        };
        var start = new ProcessStartInfo(TorchPython) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(JsonSerializer.Serialize(request));
        start.Environment["OMP_NUM_THREADS"] = Threads.ToString(CultureInfo.InvariantCulture);
        using var process = Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Console.WriteLine($"PyTorch skipped: {TorchPython} {script} failed ({process.ExitCode}): {stderr.Trim()}");
            return null;
        }

        using var json = JsonDocument.Parse(stdout);
        Console.WriteLine($"PyTorch {json.RootElement.GetProperty("torch").GetString()}, {json.RootElement.GetProperty("threads").GetInt32()} threads");
        var result = new Dictionary<string, Timing>();
        foreach (var entry in json.RootElement.GetProperty("results").EnumerateObject())
        {
            var v = entry.Value;
            result[entry.Name] = new Timing(v.GetProperty("median").GetDouble(), v.GetProperty("min").GetDouble(), v.GetProperty("max").GetDouble());
        }

        return result;
    }

    /// <summary>Seeded random operands in the stored layouts of a shape; C is m×n.</summary>
    private sealed record Operands(float[] A, float[] B, float[] C)
    {
        public static Operands Create(Shape s)
        {
            var rng = new Rng(42);
            float[] a = new float[s.M * s.K], b = new float[s.K * s.N];
            rng.FillUniform(a, -1f, 1f);
            rng.FillUniform(b, -1f, 1f);
            return new Operands(a, b, new float[s.M * s.N]);
        }
    }
}
