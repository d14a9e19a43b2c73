using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Recur.Kernels;
using Recur.Layers;
using Recur.Tensors;

namespace Recur.Bench;

/// <summary>
/// `rnn`: one-layer LSTM, GRU and RNN-tanh against the peers, all on two threads, in one run. Training steps
/// (forward + backward to every weight and the input) against PyTorch; inference against ONNX Runtime (two and one
/// intra-op threads, the best kept) and PyTorch. Contenders take turns in rounds, so a slow stretch of the shared
/// host hits them all; the samples of all rounds are pooled. Options: --rounds N (3), --samples N per round (5),
/// --no-peers, --only TEXT (configs whose name, e.g. "infer LSTM B1", contains it), --profile (a phase breakdown of Recur alone, see <see cref="RecurrentProfile"/>).
/// </summary>
internal static class RecurrentBench
{
    private const int Threads = 2;
    private const int Steps = 100, InputSize = 128, Hidden = 256;
    private const string TorchPython = "/usr/bin/python3";

    private enum CellKind
    {
        Lstm,
        Gru,
        Rnn,
    }

    private sealed record Config(CellKind Cell, bool Train, int Batch)
    {
        public string Name => $"{(Train ? "train" : "infer")} {Cell.ToString().ToUpperInvariant()} B{Batch}";
    }

    /// <summary>One implementation of a config: takes its turn in each round and collects its samples.</summary>
    private sealed class Contender(string name, Func<int, double[]> sample)
    {
        public string Name { get; } = name;

        public List<double> Samples { get; } = [];

        public void TakeTurn(int samples) => Samples.AddRange(sample(samples));
    }

    private sealed record Row(Config Config, Timing Recur, (string Name, Timing Timing)[] Peers);

    public static int Run(string[] args)
    {
        int rounds = 3, samples = 5;
        bool peers = true;
        string only = "";
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rounds":
                    rounds = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--samples":
                    samples = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--no-peers":
                    peers = false;
                    break;
                case "--only":
                    only = args[++i];
                    break;
                case "--profile":
                    RecurrentProfile.Run(Threads);
                    return 0;
                default:
                    Console.Error.WriteLine($"rnn: unknown option {args[i]} (options: --rounds N, --samples N, --no-peers, --only TEXT, --profile)");
                    return 2;
            }
        }

        Parallelism.MaxThreads = Threads;
        Console.WriteLine($"rnn: T={Steps} I={InputSize} H={Hidden}, 1 layer, {Threads} threads, {Environment.ProcessorCount} logical CPUs, AVX2+FMA: {System.Runtime.Intrinsics.X86.Fma.IsSupported}");
        Console.WriteLine($"{rounds} rounds x {samples} samples per contender, interleaved; median [min-max] of all samples");
        using var torch = peers ? TorchPeer.Start() : null;

        Config[] configs =
        [
            .. Enum.GetValues<CellKind>().Select(c => new Config(c, Train: true, Batch: 64)),
            .. Enum.GetValues<CellKind>().Select(c => new Config(c, Train: false, Batch: 1)),
            .. Enum.GetValues<CellKind>().Select(c => new Config(c, Train: false, Batch: 64)),
        ];
        var rows = new List<Row>();
        foreach (var config in configs.Where(c => c.Name.Contains(only, StringComparison.OrdinalIgnoreCase)))
        {
            rows.Add(Measure(config, rounds, samples, peers, torch));
        }

        PrintTable(rows, args);
        return 0;
    }

    private static Row Measure(Config config, int rounds, int samples, bool peers, TorchPeer? torch)
    {
        var layer = CreateLayer(config.Cell);
        var rng = new Rng(7);
        var x = new Tensor(Steps, config.Batch, InputSize);
        rng.FillUniform(x.Span, -1f, 1f);
        var contenders = new List<Contender>();
        var sessions = new List<IDisposable>();
        Action? allocationCheck = null;
        if (config.Train)
        {
            var dOut = new Tensor(Steps, config.Batch, Hidden);
            rng.FillUniform(dOut.Span, -1f, 1f);
            void Step()
            {
                layer.ZeroGrad();
                layer.Forward(x);
                layer.Backward(dOut);
            }

            contenders.Add(new Contender("Recur", n => Timer.Measure(Step, n)));
            allocationCheck = () =>
            {
                long start = GC.GetAllocatedBytesForCurrentThread();
                layer.ZeroGrad();
                layer.Forward(x);
                long forward = GC.GetAllocatedBytesForCurrentThread();
                layer.Backward(dOut);
                long end = GC.GetAllocatedBytesForCurrentThread();
                Console.WriteLine($"{config.Name}: Recur allocates {end - start} bytes per training step ({forward - start} in ZeroGrad + Forward, {end - forward} in Backward)");
            };
        }
        else
        {
            layer.Training = false;
            contenders.Add(new Contender("Recur", n => Timer.Measure(() => layer.Forward(x), n)));
            if (peers)
            {
                float[] ours = layer.Forward(x).Output.Span.ToArray();
                foreach (int threads in new[] { Threads, 1 })
                {
                    var ort = new OrtRunner(layer, x, config.Batch, threads);
                    sessions.Add(ort);
                    ort.Run();
                    Console.WriteLine($"{config.Name}: max |ONNX Runtime - Recur| = {ort.MaxAbsDiff(ours):G3} ({threads} thread{(threads > 1 ? "s" : "")})");
                    contenders.Add(new Contender($"ORT {threads}t", n => Timer.Measure(ort.Run, n)));
                }
            }
        }

        if (torch is not null)
        {
            contenders.Add(new Contender("PyTorch", n => torch.Sample(config, n)));
        }

        for (int r = 0; r < rounds; r++)
        {
            // Rotate who goes first so no contender always follows the same one.
            for (int c = 0; c < contenders.Count; c++)
            {
                contenders[(c + r) % contenders.Count].TakeTurn(samples);
            }
        }

        if (allocationCheck is not null)
        {
            // After the rounds: the first calls allocate while tiered JIT settles, a steady-state step must not.
            allocationCheck();
        }

        foreach (var session in sessions)
        {
            session.Dispose();
        }

        var recur = Timing.From(contenders[0].Samples);
        var peerTimings = contenders.Skip(1).Select(c => (c.Name, Timing.From(c.Samples))).ToArray();
        Console.WriteLine($"{config.Name}: " + string.Join(", ", contenders.Select(c => $"{c.Name} {Ms(Timing.From(c.Samples))}")));
        return new Row(config, recur, peerTimings);
    }

    private static RecurrentLayer CreateLayer(CellKind cell) => cell switch
    {
        CellKind.Lstm => new Lstm(InputSize, Hidden, seed: 1),
        CellKind.Gru => new Gru(InputSize, Hidden, seed: 1),
        _ => new Rnn(InputSize, Hidden, seed: 1),
    };

    private static string Ms(Timing t) => $"{t.Median * 1e3:F2} [{t.Min * 1e3:F2}-{t.Max * 1e3:F2}]";

    private static void PrintTable(List<Row> rows, string[] args)
    {
        string command = "dotnet run -c Release --project bench/Recur.Bench -- rnn" +
            (args.Length > 0 ? " " + string.Join(' ', args) : "");
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"Command: `{command}`").AppendLine();
        md.AppendLine($"T={Steps} I={InputSize} H={Hidden}, 1 layer, {Threads} threads; ms per call, median [min-max]; ratio = best peer / Recur (> 1: Recur is faster).").AppendLine();
        md.AppendLine("| config | Recur ms | ORT 2t ms | ORT 1t ms | PyTorch ms | best peer | peer/Recur |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        Console.WriteLine();
        Console.WriteLine($"{"config",-16} {"Recur ms",-24} {"best peer",-10} {"peer ms",-24} {"peer/Recur",10}");
        foreach (var row in rows)
        {
            string Peer(string name) => row.Peers.FirstOrDefault(p => p.Name == name) is { Name: not null } p ? Ms(p.Timing) : "-";
            var best = row.Peers.Length == 0 ? default : row.Peers.MinBy(p => p.Timing.Median);
            string bestName = best.Name ?? "-", bestMs = best.Name is null ? "-" : Ms(best.Timing);
            string ratio = best.Name is null ? "-" : $"{best.Timing.Median / row.Recur.Median:F2}";
            Console.WriteLine($"{row.Config.Name,-16} {Ms(row.Recur),-24} {bestName,-10} {bestMs,-24} {ratio,10}");
            md.AppendLine(CultureInfo.InvariantCulture, $"| {row.Config.Name} | {Ms(row.Recur)} | {Peer("ORT 2t")} | {Peer("ORT 1t")} | {Peer("PyTorch")} | {bestName} | {ratio} |");
        }

        Console.WriteLine();
        Console.WriteLine("Markdown for bench/RESULTS.md:");
        Console.WriteLine();
        Console.Write(md.ToString());
    }

    /// <summary>An ONNX Runtime session of the layer's ONNX twin with preallocated input and output.</summary>
    private sealed class OrtRunner : IDisposable
    {
        private readonly InferenceSession _session;
        private readonly SessionOptions _options;
        private readonly RunOptions _run = new();
        private readonly OrtValue _x, _y;
        private readonly float[] _output;

        public OrtRunner(RecurrentLayer layer, Tensor x, int batch, int threads)
        {
            _options = new SessionOptions
            {
                IntraOpNumThreads = threads,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            _session = new InferenceSession(OnnxRecurrentModel.Build(layer, Steps, batch), _options);
            _output = new float[Steps * batch * Hidden];
            _x = OrtValue.CreateTensorValueFromMemory(x.Span.ToArray(), [Steps, batch, InputSize]);
            _y = OrtValue.CreateTensorValueFromMemory(_output, [Steps, 1, batch, Hidden]);
        }

        public void Run() => _session.Run(_run, ["X"], [_x], ["Y"], [_y]);

        /// <summary>An honest comparison computes the same thing: Y (T, 1, B, H) has the layout of Recur's (T, B, H).</summary>
        public double MaxAbsDiff(float[] ours)
        {
            double worst = 0;
            for (int i = 0; i < ours.Length; i++)
            {
                worst = Math.Max(worst, Math.Abs(ours[i] - _output[i]));
            }

            if (worst >= 1e-4)
            {
                throw new InvalidOperationException($"ONNX Runtime and Recur disagree by {worst}: the ONNX model does not match the layer.");
            }

            return worst;
        }

        public void Dispose()
        {
            _x.Dispose();
            _y.Dispose();
            _run.Dispose();
            _session.Dispose();
            _options.Dispose();
        }
    }

    /// <summary>bench/peers/torch_rnn.py as a long-lived child process answering one JSON line per request.</summary>
    private sealed class TorchPeer : IDisposable
    {
        private readonly Process _process;

        private TorchPeer(Process process) => _process = process;

        /// <summary>Starts the peer and prints its version and BLAS; null (with the reason) when it is unavailable.</summary>
        public static TorchPeer? Start()
        {
            string script = Path.Combine(AppContext.BaseDirectory, "torch_rnn.py");
            if (!File.Exists(TorchPython) || !File.Exists(script))
            {
                Console.WriteLine($"PyTorch skipped: {TorchPython} or {script} not found");
                return null;
            }

            var start = new ProcessStartInfo(TorchPython)
            {
                RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(Threads.ToString(CultureInfo.InvariantCulture));
            start.Environment["OMP_NUM_THREADS"] = Threads.ToString(CultureInfo.InvariantCulture);
            var peer = new TorchPeer(Process.Start(start)!);
            var info = peer.Request(new { cmd = "info" });
            if (info is null)
            {
                Console.WriteLine($"PyTorch skipped: {TorchPython} {script} failed: {peer._process.StandardError.ReadToEnd().Trim()}");
                peer.Dispose();
                return null;
            }

            var root = info.RootElement;
            Console.WriteLine($"PyTorch {root.GetProperty("torch").GetString()}, {root.GetProperty("threads").GetInt32()} threads, BLAS mapped: " +
                string.Join(", ", root.GetProperty("blas").EnumerateArray().Select(p => p.GetString()).Distinct()));
            info.Dispose();
            return peer;
        }

        public double[] Sample(Config config, int samples)
        {
            using var reply = Request(new
            {
                cmd = "time", name = config.Name, cell = config.Cell.ToString().ToLowerInvariant(),
                mode = config.Train ? "train" : "infer", B = config.Batch, T = Steps, I = InputSize, H = Hidden,
                samples, warmup = 0.3,
            }) ?? throw new InvalidOperationException($"PyTorch peer died: {_process.StandardError.ReadToEnd().Trim()}");
            return reply.RootElement.GetProperty("samples").EnumerateArray().Select(s => s.GetDouble()).ToArray();
        }

        public void Dispose()
        {
            _process.StandardInput.Close();
            _process.WaitForExit();
            _process.Dispose();
        }

        private JsonDocument? Request(object request)
        {
            _process.StandardInput.WriteLine(JsonSerializer.Serialize(request));
            _process.StandardInput.Flush();
            string? line = _process.StandardOutput.ReadLine();
            return line is null ? null : JsonDocument.Parse(line);
        }
    }
}
