using System.Diagnostics;

namespace Recur.Kernels;

/// <summary>
/// A sequence of steps, each split into tasks, where every task of step s needs all tasks of step s-1 done (a time
/// loop whose step splits the hidden units: step s reads the whole h_{s-1}). It runs in one fork/join for the whole
/// sequence instead of one per step: each thread claims its own tasks of the step, then any task still unclaimed,
/// then waits for the step to complete. A claim is a compare-and-swap on the task's next unclaimed step, so no task
/// runs twice and a thread only ever waits for tasks another thread is running: if a worker wakes late, the caller
/// runs every task alone and the worker finds nothing left.
/// </summary>
/// <remarks>
/// Per step the threads exchange one counter (the completed tasks) instead of the pool's job publication, claims and
/// join: about a quarter of the synchronisation of a fork/join per step, which a single sequence's step (a few
/// microseconds) makes visible.
/// </remarks>
internal abstract class StepwiseJob : ParallelJob
{
    private const int Pad = 16; // longs per task slot: one 128-byte stretch each, so claims do not share a cache line

    private long[] _next = new long[Pad];
    private int _steps, _tasks;
    private long _completed; // tasks completed over all steps: step s is complete when it reaches (s + 1)·tasks
    private volatile bool _failed;

    /// <summary>Runs task <paramref name="task"/> of <paramref name="tasks"/> of step <paramref name="step"/>.</summary>
    protected abstract void RunStep(int step, int task, int tasks);

    /// <summary>
    /// Runs all <paramref name="steps"/> steps of <paramref name="tasks"/> tasks, on the pool when it is free and
    /// <paramref name="tasks"/> is above 1, else on this thread in order.
    /// </summary>
    public void RunSteps(int steps, int tasks)
    {
        Debug.Assert(steps >= 0 && tasks >= 1);
        int threads = Math.Min(tasks, WorkerPool.Threads);
        if (threads > 1 && WorkerPool.TryEnter())
        {
            try
            {
                Reset(steps, tasks);
                WorkerPool.Run(this, threads);
            }
            finally
            {
                WorkerPool.Exit();
            }
        }
        else
        {
            for (int s = 0; s < steps; s++)
            {
                for (int task = 0; task < tasks; task++)
                {
                    RunStep(s, task, tasks);
                }
            }
        }
    }

    private void Reset(int steps, int tasks)
    {
        if (_next.Length < tasks * Pad)
        {
            _next = new long[tasks * Pad];
        }

        for (int task = 0; task < tasks; task++)
        {
            _next[task * Pad] = 0;
        }

        (_steps, _tasks, _completed, _failed) = (steps, tasks, 0, false);
    }

    /// <summary>Thread <paramref name="thread"/> of <paramref name="threads"/>: the time loop, owning a contiguous run of tasks.</summary>
    public sealed override void Run(int thread, int threads)
    {
        int tasks = _tasks;
        int own0 = thread * tasks / threads, own1 = (thread + 1) * tasks / threads;
        try
        {
            for (int s = 0; s < _steps && !_failed; s++)
            {
                // Own tasks first (their weight rows are in this core's cache), then any left unclaimed.
                for (int task = own0; task < own1; task++)
                {
                    TryRun(s, task, tasks);
                }

                for (int task = tasks - 1; task >= 0; task--)
                {
                    if (task < own0 || task >= own1)
                    {
                        TryRun(s, task, tasks);
                    }
                }

                // Step s is complete once all its tasks are: they are claimed, so they are running somewhere.
                long target = (long)(s + 1) * tasks;
                var spinner = default(SpinWait);
                while (Volatile.Read(ref _completed) < target && !_failed)
                {
                    spinner.SpinOnce(sleep1Threshold: -1);
                }
            }
        }
        catch
        {
            _failed = true; // release the other threads' waits; the pool rethrows on the caller
            throw;
        }
    }

    private void TryRun(int step, int task, int tasks)
    {
        ref long next = ref _next[task * Pad];
        if (Volatile.Read(ref next) == step && Interlocked.CompareExchange(ref next, step + 1, step) == step)
        {
            RunStep(step, task, tasks);
            Interlocked.Increment(ref _completed); // publishes the task's writes to the next step's readers
        }
    }
}
