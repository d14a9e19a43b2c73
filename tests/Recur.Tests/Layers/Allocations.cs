namespace Recur.Tests.Layers;

internal static class Allocations
{
    /// <summary>Asserts that <paramref name="step"/> allocates nothing once warmed up (past tiered compilation, whose first calls may allocate).</summary>
    public static void AssertSteadyStateAllocatesNothing(Action step)
    {
        for (int i = 0; i < 40; i++)
        {
            step();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            step();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"{allocated} bytes allocated in 20 steps.");
    }
}

/// <summary>
/// Classes with allocation assertions run alone: a test running beside them can own the GEMM worker pool and send
/// their calls down the single-threaded path, whose first use allocates its per-thread buffers.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationSensitive
{
    public const string Name = "Allocation-sensitive";
}
