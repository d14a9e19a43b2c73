using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Recur.Kernels;

namespace Recur.Bench;

/// <summary>
/// `gemm`: GFLOP/s of <see cref="Gemm"/> on the shapes an RNN runs, against ONNX Runtime (MLAS) and PyTorch in the
/// same run, all on two threads. Options: --samples N (per round, default 11), --rounds N (default 3), --threads N (default 2), --shape TEXT (only shapes whose name contains it), --no-peers.
/// </summary>
internal static class GemmBench
{
    private static int s_threads = 2;
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
        new("input proj B1 100x128 @ W(1024x128)T packed", 100, 1024, 128, false, true, true),
        new("input proj B4 400x128 @ W(1024x128)T packed", 400, 1024, 128, false, true, true),
        new("weight grad (6400x1024)T @ 6400x256", 1024, 256, 6400, true, false, false),
        new("gemv 1x256 @ W(1024x256)T packed", 1, 1024, 256, false, true, true),
        new("gemv 1x256 @ W(1024x256)T raw", 1, 1024, 256, false, true, false),
    ];

    public static int Run(string[] args)
    {
        int samples = 11, rounds = 3;
        bool peers = true;
        string filter = "";
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--samples":
                    samples = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--rounds":
                    rounds = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--threads":
                    s_threads = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--shape":
                    filter = args[++i];
                    break;
                case "--no-peers":
                    peers = false;
                    break;
                default:
                    Console.Error.WriteLine($"gemm: unknown option {args[i]} (options: --samples N, --rounds N, --threads N, --shape TEXT, --no-peers)");
                    return 2;
            }
        }

        Parallelism.MaxThreads = s_threads;
        Console.WriteLine($"GEMM, {s_threads} threads, {Environment.ProcessorCount} logical CPUs, AVX2+FMA: {System.Runtime.Intrinsics.X86.Fma.IsSupported}; median of {rounds}x{samples} samples, spread = slowest..fastest");

        // Rounds interleave ours, ONNX Runtime and PyTorch over time, so a slow stretch of the shared host hits all.
        var oursSamples = new Dictionary<string, List<double>>();
        var ortSamples = new Dictionary<string, List<double>>();
        var torchSamples = new Dictionary<string, List<double>>();
        var shapes = Shapes.Where(s => s.Name.Contains(filter, StringComparison.Ordinal)).ToArray();
        for (int round = 0; round < rounds; round++)
        {
            foreach (var shape in shapes)
            {
                var operands = Operands.Create(shape);
                Add(oursSamples, shape.Name, TimeOurs(shape, operands, samples));
                if (peers)
                {
                    Add(ortSamples, shape.Name, TimeOnnxRuntime(shape, operands, samples));
                }
            }

            if (peers && TimeTorch(shapes, samples, round == 0) is { } torchRound)
            {
                foreach ((string name, double[] times) in torchRound)
                {
                    Add(torchSamples, name, times);
                }
            }
        }

        var ours = Summarize(oursSamples);
        var ort = Summarize(ortSamples);
        var torch = torchSamples.Count > 0 ? Summarize(torchSamples) : null;
        Console.WriteLine();
        Console.WriteLine($"{"shape",-40} {"ours GFLOP/s",-22} {"ONNX Runtime",-22} {"PyTorch",-22} {"ours/best",9}");
        foreach (var shape in shapes)
        {
            Timing o = ours[shape.Name];
            Timing? r = ort.TryGetValue(shape.Name, out var rt) ? rt : null;
            Timing? t = torch is not null && torch.TryGetValue(shape.Name, out var tt) ? tt : null;
            double best = Math.Max(r is { } rv ? shape.Flops / rv.Median : 0, t is { } tv ? shape.Flops / tv.Median : 0);
            string ratio = best > 0 ? $"{shape.Flops / o.Median / best,8:P0}" : "";
            Console.WriteLine($"{shape.Name,-40} {Format(shape, o),-22} {Format(shape, r),-22} {Format(shape, t),-22} {ratio,9}");
        }

        foreach (var shape in shapes.Where(s => s.M == 1))
        {
            // Bandwidth of a matrix-vector product: every float of B is read once.
            double bytes = 4.0 * shape.N * shape.K;
            string Gbs(Dictionary<string, Timing>? x) => x is not null && x.TryGetValue(shape.Name, out var v) ? $"{bytes / v.Median / 1e9:F0} GB/s" : "-";
            Console.WriteLine($"{shape.Name}: ours {Gbs(ours)}, ONNX Runtime {Gbs(ort)}, PyTorch {Gbs(torch)}");
        }

        return 0;
    }

    private static void Add(Dictionary<string, List<double>> pool, string name, double[] samples)
    {
        if (!pool.TryGetValue(name, out var list))
        {
            pool[name] = list = [];
        }

        list.AddRange(samples);
    }

    private static Dictionary<string, Timing> Summarize(Dictionary<string, List<double>> pool) =>
        pool.ToDictionary(p => p.Key, p => Timing.From(p.Value));

    private static string Format(Shape shape, Timing? timing) =>
        timing is { } t ? $"{shape.Flops / t.Median / 1e9,5:F1} ({shape.Flops / t.Max / 1e9:F0}-{shape.Flops / t.Min / 1e9:F0})" : "-";

    private static double[] TimeOurs(Shape s, Operands x, int samples)
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

    private static double[] TimeOnnxRuntime(Shape s, Operands x, int samples)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = s_threads,
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

    /// <summary>Samples per shape name from bench/peers/torch_gemm.py, or null (said once) when it cannot run.</summary>
    private static Dictionary<string, double[]>? TimeTorch(Shape[] shapes, int samples, bool report)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "torch_gemm.py");
        if (!File.Exists(TorchPython) || !File.Exists(script))
        {
            if (report)
            {
                Console.WriteLine($"PyTorch skipped: {TorchPython} or {script} not found");
            }

            return null;
        }

        var request = new
        {
            threads = s_threads,
            samples,
            shapes = shapes.Select(s => new { name = s.Name, m = s.M, n = s.N, k = s.K, trans_a = s.TransA, trans_b = s.TransB }),
        };
        var start = new ProcessStartInfo(TorchPython) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(JsonSerializer.Serialize(request));
        start.Environment["OMP_NUM_THREADS"] = s_threads.ToString(CultureInfo.InvariantCulture);
        using var process = Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            if (report)
            {
                Console.WriteLine($"PyTorch skipped: {TorchPython} {script} failed ({process.ExitCode}): {stderr.Trim()}");
            }

            return null;
        }

        using var json = JsonDocument.Parse(stdout);
        if (report)
        {
            Console.WriteLine($"PyTorch {json.RootElement.GetProperty("torch").GetString()}, {json.RootElement.GetProperty("threads").GetInt32()} threads");
        }

        var result = new Dictionary<string, double[]>();
        foreach (var entry in json.RootElement.GetProperty("results").EnumerateObject())
        {
            result[entry.Name] = entry.Value.GetProperty("samples").EnumerateArray().Select(v => v.GetDouble()).ToArray();
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
