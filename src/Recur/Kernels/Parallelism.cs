using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Recur.Kernels;

/// <summary>
/// Settings for the threads the kernels use. Kernels split large problems across a small pool of long-lived
/// worker threads; small ones run on the calling thread.
/// </summary>
public static class Parallelism
{
    /// <summary>Upper bound of the default: beyond this, spinning workers cost more than they bring.</summary>
    public const int DefaultCap = 8;

    private static int s_maxThreads = Math.Min(Environment.ProcessorCount, DefaultCap);

    /// <summary>
    /// The most threads (the caller included) one kernel call may use; default min(ProcessorCount, 8). Set it to 1
    /// to run every kernel on the calling thread. Workers are started lazily, the first time they are needed.
    /// </summary>
    public static int MaxThreads
    {
        get => Volatile.Read(ref s_maxThreads);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref s_maxThreads, value);
        }
    }
}

/// <summary>
/// Work split into <c>parts</c> independent pieces. An instance is preallocated and its fields are set by the pool
/// owner before <see cref="WorkerPool.Run"/>, so dispatching allocates nothing.
/// </summary>
internal abstract class ParallelJob
{
    /// <summary>Runs piece <paramref name="part"/> of <paramref name="parts"/>; may run on any thread.</summary>
    public abstract void Run(int part, int parts);
}

/// <summary>
/// Fork/join over long-lived workers. After a job the workers spin for <see cref="SpinMicroseconds"/> so a time
/// loop of small GEMMs pays ~0.2 µs per fork instead of a ~100 µs wake-up, then block so an idle library burns no
/// core. Each thread owns a contiguous run of the parts, so the same thread gets the same columns of a weight matrix
/// call after call and keeps them in its L2; a thread that finishes early steals the others' parts from the back,
/// and a worker that wakes late finds them done by the caller. One caller owns the pool at a time (<see cref="TryEnter"/>); a concurrent caller runs single-threaded.
/// </summary>
internal static class WorkerPool
{
    public const int SpinMicroseconds = 100;

    /// <summary>Most parts one job may have.</summary>
    public const int MaxParts = 64;

    private static readonly long s_spinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;
    private static readonly int s_capacity = Math.Min(Environment.ProcessorCount, Parallelism.DefaultCap * 2) - 1;
    private static readonly object s_startLock = new();
    private static readonly SemaphoreSlim[] s_wake = new SemaphoreSlim[Math.Max(0, s_capacity)];
    private static readonly int[] s_sleeping = new int[Math.Max(0, s_capacity)];
    private static int s_started;
    private static int s_owned;

    // The current job: generation (bits 32-63), parts (16-31) and threads sharing them (0-15).
    private static long s_state;

    // Per part: 2·generation + 1 while unclaimed, 2·generation once claimed. A claim compares against its own
    // generation, so a worker still holding an old one can never claim (and run) a part of a newer job.
    private static readonly long[] s_parts = new long[MaxParts];
    private static uint s_generation;
    private static ParallelJob? s_job;
    private static int s_done;
    private static Exception? s_error;

    /// <summary>Threads a call may use now: the caller plus the workers allowed by <see cref="Parallelism.MaxThreads"/>.</summary>
    public static int Threads => Math.Min(Parallelism.MaxThreads, s_capacity + 1);

    /// <summary>Workers started so far.</summary>
    public static int Started => Volatile.Read(ref s_started);

    /// <summary>Workers blocked on their semaphore, burning no CPU.</summary>
    public static int Parked
    {
        get
        {
            int parked = 0;
            for (int w = 0; w < Started; w++)
            {
                parked += Volatile.Read(ref s_sleeping[w]);
            }

            return parked;
        }
    }

    /// <summary>Takes the pool for one job; false when another thread owns it or one thread is allowed.</summary>
    public static bool TryEnter()
    {
        int threads = Threads;
        if (threads <= 1 || Interlocked.CompareExchange(ref s_owned, 1, 0) != 0)
        {
            return false;
        }

        if (Volatile.Read(ref s_started) < threads - 1)
        {
            StartWorkers(threads - 1);
        }

        return true;
    }

    /// <summary>Gives the pool back; call in a finally after <see cref="TryEnter"/> returned true.</summary>
    public static void Exit() => Volatile.Write(ref s_owned, 0);

    /// <summary>
    /// Runs <paramref name="parts"/> parts of <paramref name="job"/> on the pool, or the whole job as one part on
    /// this thread when parts is 1 or another caller owns the pool. The job must belong to the caller (the GEMM's
    /// static jobs do not, which is why they keep their arguments local on the inline path).
    /// </summary>
    public static void RunOrInline(ParallelJob job, int parts)
    {
        if (parts > 1 && TryEnter())
        {
            try
            {
                Run(job, parts);
            }
            finally
            {
                Exit();
            }
        }
        else
        {
            job.Run(0, 1);
        }
    }

    /// <summary>Runs all parts of <paramref name="job"/>, on the caller and any worker that is free, then returns.</summary>
    public static void Run(ParallelJob job, int parts)
    {
        Debug.Assert(parts is >= 1 and <= MaxParts);
        s_job = job;
        s_error = null;
        Volatile.Write(ref s_done, 0);
        uint generation = ++s_generation;
        for (int p = 0; p < parts; p++)
        {
            s_parts[p] = ((long)generation << 1) | 1;
        }

        // Threads sharing the parts: the caller plus the first workers, within the current MaxThreads.
        int threads = Math.Min(parts, Math.Min(Threads, Volatile.Read(ref s_started) + 1));
        Interlocked.Exchange(ref s_state, ((long)generation << 32) | ((long)parts << 16) | (uint)threads);

        for (int w = 0; w < threads - 1; w++)
        {
            if (Interlocked.Exchange(ref s_sleeping[w], 0) == 1)
            {
                s_wake[w].Release();
            }
        }

        RunParts(0, generation, parts, threads);

        // Join: the pieces a worker claimed are running; wait for them.
        var spinner = default(SpinWait);
        while (Volatile.Read(ref s_done) != parts)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }

        if (s_error is { } error)
        {
            ExceptionDispatchInfo.Capture(error).Throw();
        }
    }

    private static void RunPart(ParallelJob job, int part, int parts)
    {
        try
        {
            job.Run(part, parts);
        }
#pragma warning disable CA1031 // Rethrown on the calling thread: an exception must not kill a worker or hang the join.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Interlocked.CompareExchange(ref s_error, e, null);
        }
        finally
        {
            Interlocked.Increment(ref s_done);
        }
    }

    /// <summary>Thread <paramref name="thread"/> runs its own parts front to back, then steals the rest back to front.</summary>
    private static void RunParts(int thread, uint generation, int parts, int threads)
    {
        if (thread >= threads)
        {
            return;
        }

        int start = thread * parts / threads, end = (thread + 1) * parts / threads;
        for (int p = start; p < end; p++)
        {
            if (TryClaim(generation, p))
            {
                // Read after the claim: a claimed part pins the job, so this is the job of this generation.
                RunPart(Volatile.Read(ref s_job)!, p, parts);
            }
        }

        for (int p = parts - 1; p >= 0; p--)
        {
            if ((p < start || p >= end) && TryClaim(generation, p))
            {
                RunPart(Volatile.Read(ref s_job)!, p, parts);
            }
        }
    }

    private static bool TryClaim(uint generation, int part)
    {
        long unclaimed = ((long)generation << 1) | 1;
        return Volatile.Read(ref s_parts[part]) == unclaimed
            && Interlocked.CompareExchange(ref s_parts[part], unclaimed - 1, unclaimed) == unclaimed;
    }

    private static void StartWorkers(int count)
    {
        lock (s_startLock)
        {
            for (int w = s_started; w < count; w++)
            {
                s_wake[w] = new SemaphoreSlim(0);
                var thread = new Thread(WorkerLoop) { IsBackground = true, Name = $"Recur kernel worker {w + 1}" };
                thread.Start(w);
                Volatile.Write(ref s_started, w + 1);
            }
        }
    }

    private static void WorkerLoop(object? state)
    {
        int w = (int)state!;
        uint seen = (uint)(Volatile.Read(ref s_state) >> 32);
        long idleSince = Stopwatch.GetTimestamp();
        int spins = 0;
        while (true)
        {
            long word = Volatile.Read(ref s_state);
            uint generation = (uint)(word >> 32);
            if (generation != seen)
            {
                seen = generation;
                RunParts(w + 1, generation, (int)((word >> 16) & 0xFFFF), (int)(word & 0xFFFF));

                idleSince = Stopwatch.GetTimestamp();
                continue;
            }

            if ((++spins & 63) != 0 || Stopwatch.GetTimestamp() - idleSince < s_spinTicks)
            {
                Thread.SpinWait(4);
                continue;
            }

            // Park. Publish "sleeping" then re-check, so a job published meanwhile is either seen here or wakes us;
            // if the dispatcher already cleared the flag it has released (or will release) the semaphore: take it.
            Interlocked.Exchange(ref s_sleeping[w], 1);
            if ((uint)(Volatile.Read(ref s_state) >> 32) == seen || Interlocked.Exchange(ref s_sleeping[w], 0) == 0)
            {
                s_wake[w].Wait();
            }

            idleSince = Stopwatch.GetTimestamp();
        }
    }
}
