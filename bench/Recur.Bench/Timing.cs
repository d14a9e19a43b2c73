using System.Diagnostics;

namespace Recur.Bench;

/// <summary>Seconds per call of one operation: median and spread over samples.</summary>
internal readonly record struct Timing(double Median, double Min, double Max)
{
    /// <summary>Median and spread of samples pooled from several rounds.</summary>
    public static Timing Of(IEnumerable<double> samples)
    {
        double[] sorted = samples.Order().ToArray();
        return new Timing(sorted[sorted.Length / 2], sorted[0], sorted[^1]);
    }
}

/// <summary>
/// The shared timing loop: warm up (tiered JIT, caches, worker threads), size a sample to at least
/// <c>minSampleSeconds</c> so timer resolution does not matter, then time <c>samples</c> samples and keep the median.
/// </summary>
internal static class Timer
{
    public static Timing Measure(Action op, int samples = 21, double minSampleSeconds = 0.01, double warmupSeconds = 0.3) =>
        Timing.Of(Sample(op, samples, minSampleSeconds, warmupSeconds));

    /// <summary>The seconds per call of each sample, unsorted, for callers that pool interleaved rounds.</summary>
    public static double[] Sample(Action op, int samples = 21, double minSampleSeconds = 0.01, double warmupSeconds = 0.3)
    {
        var clock = Stopwatch.StartNew();
        int calls = 0;
        while (calls < 3 || clock.Elapsed.TotalSeconds < warmupSeconds)
        {
            op();
            calls++;
        }

        double perCall = clock.Elapsed.TotalSeconds / calls;
        int inner = Math.Max(1, (int)Math.Ceiling(minSampleSeconds / perCall));
        double[] times = new double[samples];
        for (int s = 0; s < samples; s++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < inner; i++)
            {
                op();
            }

            times[s] = Stopwatch.GetElapsedTime(start).TotalSeconds / inner;
        }

        return times;
    }
}
