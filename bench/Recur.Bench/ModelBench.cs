using System.Globalization;
using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Training;

namespace Recur.Bench;

/// <summary>
/// The cost of the model API: a Fit training step of a model holding one recurrent layer (batching, forward, loss,
/// backward, Adam) against the bare layer's forward + backward on the same batch, B=64 T=100 I=128 H=256.
/// </summary>
internal static class ModelBench
{
    private const int B = 64, T = 100, I = 128, H = 256, BatchesPerEpoch = 4;

    public static int Run(string[] args)
    {
        if (args.Contains("--profile"))
        {
            Profile();
            return 0;
        }

        int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        Console.WriteLine($"model vs bare layer, training step B={B} T={T} I={I} H={H}, {rounds} rounds (ms: median [min-max])");
        Console.WriteLine("| cell | bare layer F+B | model Fit step | model / bare |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var cell in new[] { CellKind.Lstm, CellKind.Gru, CellKind.Rnn })
        {
            var bare = Create(cell, batchFirst: true);
            var x = Random(B * T * I, 1, B, T, I);
            var g = Random(B * T * H, 2, B, T, H);
            void BareStep()
            {
                bare.ZeroGrad();
                bare.Forward(x);
                bare.Backward(g);
            }

            var layer = Create(cell, batchFirst: true);
            var model = new Sequential(new Input(-1, I), layer);
            model.Compile(new MeanSquaredError(), new Adam(model.Parameters, 1e-4f));
            var data = Dataset.FromTensors(Random(BatchesPerEpoch * B * T * I, 3, BatchesPerEpoch * B, T, I), new Tensor(BatchesPerEpoch * B, T, H));
            void ModelEpoch()
            {
                model.EpochsTaken = 0;
                model.Fit(data, epochs: 1, batchSize: B, shuffle: false);
            }

            var bareTimes = new List<double>();
            var modelTimes = new List<double>();
            for (int r = 0; r < rounds; r++)
            {
                bareTimes.AddRange(Timer.Measure(BareStep, samples: 5, warmupSeconds: 0.5));
                modelTimes.AddRange(Timer.Measure(ModelEpoch, samples: 3, warmupSeconds: 0.5).Select(s => s / BatchesPerEpoch));
            }

            var b = Timing.From(bareTimes);
            var m = Timing.From(modelTimes);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {cell} | {b.Median * 1e3:F1} [{b.Min * 1e3:F1}-{b.Max * 1e3:F1}] | {m.Median * 1e3:F1} [{m.Min * 1e3:F1}-{m.Max * 1e3:F1}] | {m.Median / b.Median:F3} |"));
        }

        return 0;
    }

    /// <summary>Where a model's training step spends its time beyond the layer: the phases of Fit's loop body.</summary>
    private static void Profile()
    {
        foreach (var cell in new[] { CellKind.Lstm, CellKind.Rnn })
        {
            var layer = Create(cell, batchFirst: true);
            var model = new Sequential(new Input(-1, I), layer);
            var adam = new Adam(model.Parameters, 1e-4f);
            var loss = new MeanSquaredError();
            model.Compile(loss, adam);
            var data = Dataset.FromTensors(Random(B * T * I, 3, B, T, I), new Tensor(B, T, H));
            var gradient = new Tensor(B, T, H);
            string[] names = ["gather batch", "model forward", "finite check", "loss", "backward", "adam"];
            var total = new double[names.Length];
            const int warmup = 10, measured = 30;
            for (int it = 0; it < warmup + measured; it++)
            {
                var stamps = new long[names.Length + 1];
                stamps[0] = System.Diagnostics.Stopwatch.GetTimestamp();
                var (inputs, targets) = data.Batch(data.Plan(B, false, 0, 0, false)[0]);
                stamps[1] = System.Diagnostics.Stopwatch.GetTimestamp();
                var prediction = model.Forward(inputs)[0];
                stamps[2] = System.Diagnostics.Stopwatch.GetTimestamp();
                Kernels.Elementwise.IndexOfNonFinite(prediction.Data.Span);
                stamps[3] = System.Diagnostics.Stopwatch.GetTimestamp();
                loss.Compute(prediction, targets[0], gradient);
                stamps[4] = System.Diagnostics.Stopwatch.GetTimestamp();
                adam.ZeroGrad();
                model.Backward(gradient);
                stamps[5] = System.Diagnostics.Stopwatch.GetTimestamp();
                adam.Step();
                stamps[6] = System.Diagnostics.Stopwatch.GetTimestamp();
                for (int k = 0; it >= warmup && k < names.Length; k++)
                {
                    total[k] += (stamps[k + 1] - stamps[k]) / (double)System.Diagnostics.Stopwatch.Frequency;
                }
            }

            Console.WriteLine($"{cell} model step phases (mean of {measured}):");
            for (int k = 0; k < names.Length; k++)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {names[k],-14} {total[k] / measured * 1e3,8:F2} ms"));
            }
        }
    }

    private static RecurrentLayer Create(CellKind cell, bool batchFirst) => cell switch
    {
        CellKind.Lstm => new Lstm(I, H, batchFirst: batchFirst, seed: 1),
        CellKind.Gru => new Gru(I, H, batchFirst: batchFirst, seed: 1),
        _ => new Rnn(I, H, batchFirst: batchFirst, seed: 1),
    };

    private static Tensor Random(int count, ulong seed, params int[] shape)
    {
        var rng = new Rng(seed);
        var t = new Tensor(shape);
        rng.FillUniform(t.Span[..count], -1f, 1f);
        return t;
    }
}
