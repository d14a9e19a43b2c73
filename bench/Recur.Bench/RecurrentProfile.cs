using System.Diagnostics;
using Recur.Kernels;
using Recur.Layers;
using Recur.Tensors;

namespace Recur.Bench;

/// <summary>
/// `rnn --profile`: where a layer's time goes. Replays the kernel calls of RecurrentCell's forward and backward
/// loops (same kernels, shapes and order) with a clock around each phase, and prints each phase's share beside the
/// real layer's time, so a gap between the two would show overhead outside the kernels.
/// </summary>
internal static class RecurrentProfile
{
    private const int Steps = 100, InputSize = 128, Hidden = 256, Repeats = 20;
    private static readonly RowsJob s_rows = new();

    private static readonly string[] Phases =
    [
        "pack W_hh", "input projection GEMM", "step GEMM (h W_hh^T)", "gate kernel fwd",
        "gate kernel bwd", "step GEMM (dG W_hh)", "bias grad row sums", "dW_ih + dx GEMMs", "dW_hh GEMM",
    ];

    public static void Run(int threads)
    {
        Parallelism.MaxThreads = threads;
        Console.WriteLine($"Phase breakdown, T={Steps} I={InputSize} H={Hidden}, {threads} threads: ms per call (mean of {Repeats} after warm-up) and GFLOP/s of the GEMM phases");
        foreach (var (train, batch) in new[] { (true, 64), (false, 1), (false, 64) })
        {
            foreach (string cell in new[] { "LSTM", "GRU", "RNN" })
            {
                Profile(cell, train, batch);
            }
        }
    }

    private static void Profile(string cell, bool train, int batch)
    {
        int blocks = cell switch { "LSTM" => 4, "GRU" => 3, _ => 1 };
        int g = blocks * Hidden, rows = Steps * batch, bg = batch * g, bh = batch * Hidden;
        var rng = new Rng(3);
        float[] Random(int n)
        {
            float[] a = new float[n];
            rng.FillUniform(a, -0.1f, 0.1f);
            return a;
        }

        float[] x = Random(rows * InputSize), wIh = Random(g * InputSize), wHh = Random(g * Hidden), bias = Random(g);
        float[] gates = new float[rows * g], dGates = Random(rows * g), hSeq = new float[rows * Hidden], dOut = Random(rows * Hidden);
        float[] c = new float[rows * Hidden], tanhC = new float[rows * Hidden], h0 = new float[bh], dhNext = new float[bh], dcNext = new float[bh];
        float[] hh = new float[bg], dIh = new float[g * InputSize], dHh = new float[g * Hidden], dx = new float[rows * InputSize], biasGrad = new float[g];
        var packedT = new PackedMatrix();
        var packed = new PackedMatrix();
        double[] seconds = new double[Phases.Length];
        long mark = 0;
        void Lap(int phase)
        {
            long now = Stopwatch.GetTimestamp();
            seconds[phase] += Stopwatch.GetElapsedTime(mark, now).TotalSeconds;
            mark = now;
        }

        void Sequence()
        {
            mark = Stopwatch.GetTimestamp();
            packedT.Pack(wHh, Hidden, true, Hidden, g);
            Lap(0);
            Gemm.Multiply(x, InputSize, false, wIh, InputSize, true, rows, g, InputSize, gates, g, accumulate: false);
            Lap(1);
            for (int t = 0; t < Steps; t++)
            {
                ReadOnlySpan<float> hPrev = t == 0 ? h0 : hSeq.AsSpan((t - 1) * bh, bh);
                // The GRU multiplies into a side buffer (r scales its hidden part); the others accumulate into the gates.
                Gemm.Multiply(hPrev, Hidden, false, packedT, batch, cell == "GRU" ? hh : gates.AsSpan(t * bg, bg), g, accumulate: cell != "GRU");
                Lap(2);
                int tp = t;
                SplitRows(batch, (b0, n) =>
                {
                    int g0 = (tp * batch + b0) * g, r0 = tp * bh + b0 * Hidden, nh = n * Hidden;
                    var hRows = hSeq.AsSpan(r0, nh);
                    var hPrevRows = tp == 0 ? h0.AsSpan(b0 * Hidden, nh) : hSeq.AsSpan(r0 - bh, nh);
                    switch (cell)
                    {
                        case "LSTM":
                            GateKernels.LstmForward(gates.AsSpan(g0, n * g), bias, tp == 0 ? hPrevRows : c.AsSpan(r0 - bh, nh), c.AsSpan(r0, nh), tanhC.AsSpan(r0, nh), hRows, Hidden, n, Hidden);
                            break;
                        case "GRU":
                            GateKernels.GruForward(gates.AsSpan(g0, n * g), bias, hh.AsSpan(b0 * g, n * g), bias.AsSpan(2 * Hidden, Hidden), hPrevRows, Hidden, c.AsSpan(r0, nh), hRows, Hidden, n, Hidden);
                            break;
                        default:
                            GateKernels.RnnForward(gates.AsSpan(g0, n * g), bias.AsSpan(0, g), false, hRows, Hidden, n, Hidden);
                            break;
                    }
                });
                Lap(3);
            }

            if (!train)
            {
                return;
            }

            packed.Pack(wHh, Hidden, false, g, Hidden);
            Lap(0);
            for (int t = Steps - 1; t >= 0; t--)
            {
                var dStep = dGates.AsSpan(t * bg, bg);
                int tb = t;
                SplitRows(batch, (b0, n) =>
                {
                    int g0 = (tb * batch + b0) * g, r0 = tb * bh + b0 * Hidden, nh = n * Hidden;
                    var hPrevRows = tb == 0 ? h0.AsSpan(b0 * Hidden, nh) : hSeq.AsSpan(r0 - bh, nh);
                    var dOutRows = dOut.AsSpan(r0, nh);
                    switch (cell)
                    {
                        case "LSTM":
                            GateKernels.LstmBackward(gates.AsSpan(g0, n * g), tb == 0 ? hPrevRows : c.AsSpan(r0 - bh, nh), tanhC.AsSpan(r0, nh), dOutRows, Hidden, dhNext.AsSpan(b0 * Hidden, nh), dcNext.AsSpan(b0 * Hidden, nh), dGates.AsSpan(g0, n * g), n, Hidden);
                            break;
                        case "GRU":
                            GateKernels.GruBackward(gates.AsSpan(g0, n * g), c.AsSpan(r0, nh), hPrevRows, Hidden, dOutRows, Hidden, dhNext.AsSpan(b0 * Hidden, nh), dGates.AsSpan(g0, n * g), hh.AsSpan(b0 * g, n * g), n, Hidden);
                            break;
                        default:
                            GateKernels.RnnBackward(hSeq.AsSpan(r0, nh), Hidden, false, dOutRows, Hidden, dhNext.AsSpan(b0 * Hidden, nh), dGates.AsSpan(g0, n * g), n, Hidden);
                            break;
                    }
                });
                Lap(4);
                Gemm.Multiply(dStep, g, false, packed, batch, dhNext, Hidden, accumulate: cell == "GRU");
                Lap(5);
                Elementwise.AddRowSums(dStep, batch, biasGrad);
                Elementwise.AddRowSums(dStep, batch, biasGrad);
                Lap(6);
            }

            Gemm.Multiply(dGates, g, true, x, InputSize, false, g, InputSize, rows, dIh, InputSize, accumulate: true);
            Gemm.Multiply(dGates, g, false, wIh, InputSize, false, rows, InputSize, g, dx, InputSize, accumulate: false);
            Lap(7);
            Gemm.Multiply(dGates, g, true, hSeq, Hidden, false, g, Hidden, rows - batch, dHh, Hidden, accumulate: true);
            Gemm.Multiply(dGates, g, true, h0, Hidden, false, g, Hidden, batch, dHh, Hidden, accumulate: true);
            Lap(8);
        }

        double real = RealLayer(cell, train, batch);
        for (int i = 0; i < 5; i++)
        {
            Sequence();
        }

        Array.Clear(seconds);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < Repeats; i++)
        {
            Sequence();
        }

        double total = clock.Elapsed.TotalSeconds / Repeats;
        double macsIn = (double)rows * g * InputSize, macsStep = (double)rows * g * Hidden;
        double[] flops = [0, 2 * macsIn, 2 * macsStep, 0, 0, 2 * macsStep, 0, 4 * macsIn, 2 * macsStep];
        Console.WriteLine($"{(train ? "train" : "infer")} {cell} B{batch}: replay {total * 1e3:F2} ms, real layer {real * 1e3:F2} ms");
        for (int p = 0; p < Phases.Length; p++)
        {
            double s = seconds[p] / Repeats;
            if (s > 0)
            {
                string rate = flops[p] > 0 ? $"  {flops[p] / s / 1e9,6:F1} GFLOP/s" : "";
                Console.WriteLine($"  {Phases[p],-24} {s * 1e3,8:F3} ms {s / total,6:P0}{rate}");
            }
        }
    }

    /// <summary>Runs a gate kernel over batch rows [b0, b0 + n) the way RecurrentCell does: split across the workers for large steps.</summary>
    private static void SplitRows(int batch, Action<int, int> body)
    {
        int parts = Math.Min(batch, WorkerPool.Threads);
        if (parts > 1 && batch * Hidden >= Cells.RecurrentCell.ParallelGateMinValues && WorkerPool.TryEnter())
        {
            try
            {
                s_rows.Batch = batch;
                s_rows.Body = body;
                WorkerPool.Run(s_rows, parts);
            }
            finally
            {
                WorkerPool.Exit();
            }
        }
        else
        {
            body(0, batch);
        }
    }

    private sealed class RowsJob : ParallelJob
    {
        public int Batch;
        public Action<int, int> Body = (_, _) => { };

        public override void Run(int part, int parts)
        {
            int b0 = Batch * part / parts;
            Body(b0, Batch * (part + 1) / parts - b0);
        }
    }

    /// <summary>The median time of the real layer on the same config, to check the replay accounts for it.</summary>
    private static double RealLayer(string cell, bool train, int batch)
    {
        RecurrentLayer layer = cell switch
        {
            "LSTM" => new Lstm(InputSize, Hidden, seed: 1),
            "GRU" => new Gru(InputSize, Hidden, seed: 1),
            _ => new Rnn(InputSize, Hidden, seed: 1),
        };
        var x = new Tensor(Steps, batch, InputSize);
        var dOut = new Tensor(Steps, batch, Hidden);
        new Rng(5).FillUniform(x.Span, -1f, 1f);
        layer.Training = train;
        return train
            ? Timing.From(Timer.Measure(() => { layer.ZeroGrad(); layer.Forward(x); layer.Backward(dOut); }, samples: 7)).Median
            : Timing.From(Timer.Measure(() => layer.Forward(x), samples: 7)).Median;
    }
}
