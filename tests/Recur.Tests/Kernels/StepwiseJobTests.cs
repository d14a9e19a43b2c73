using Recur.Kernels;

namespace Recur.Tests.Kernels;

public class StepwiseJobTests
{
    /// <summary>
    /// A recurrence split like a fused step: value[s, p] = p + Σ_q value[s-1, q] (mod a prime), so a task that ran
    /// before all of step s-1 was done, ran twice, or not at all, gives a wrong table.
    /// </summary>
    private sealed class Recurrence(int steps, int tasks) : StepwiseJob
    {
        public readonly long[,] Values = new long[steps, tasks];
        public readonly int[,] Runs = new int[steps, tasks];
        public int ThrowAt = -1;

        protected override void RunStep(int step, int task, int tasks)
        {
            if (step == ThrowAt && task == tasks - 1)
            {
                throw new InvalidOperationException("task failed");
            }

            Interlocked.Increment(ref Runs[step, task]);
            long sum = 0;
            for (int q = 0; step > 0 && q < tasks; q++)
            {
                sum += Values[step - 1, q];
            }

            Values[step, task] = (task + sum) % 1_000_003;
        }

        public static long[,] Expected(int steps, int tasks)
        {
            var v = new long[steps, tasks];
            for (int s = 0; s < steps; s++)
            {
                long sum = 0;
                for (int q = 0; s > 0 && q < tasks; q++)
                {
                    sum += v[s - 1, q];
                }

                for (int p = 0; p < tasks; p++)
                {
                    v[s, p] = (p + sum) % 1_000_003;
                }
            }

            return v;
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(200, 2)]
    [InlineData(200, 4)]
    [InlineData(50, 7)]
    [InlineData(0, 4)]
    public void Every_task_runs_once_and_after_the_whole_previous_step(int steps, int tasks)
    {
        var job = new Recurrence(steps, tasks);
        for (int repeat = 0; repeat < 3; repeat++) // reused, as a cell reuses its job for every sequence
        {
            Array.Clear(job.Runs);
            job.RunSteps(steps, tasks);
            Assert.Equal(Recurrence.Expected(steps, tasks), job.Values);
            Assert.All(job.Runs.Cast<int>(), runs => Assert.Equal(1, runs));
        }
    }

    [Fact]
    public void On_one_thread_the_steps_run_in_order()
    {
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = 1;
            var job = new Recurrence(30, 4);
            job.RunSteps(30, 4);
            Assert.Equal(Recurrence.Expected(30, 4), job.Values);
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }

    [Fact]
    public void A_failing_task_surfaces_on_the_caller_without_hanging_and_the_job_runs_again()
    {
        var job = new Recurrence(100, 4) { ThrowAt = 37 };
        var error = Assert.Throws<InvalidOperationException>(() => job.RunSteps(100, 4));
        Assert.Equal("task failed", error.Message);
        Assert.Equal(0, job.Runs[99, 0]); // stopped at the failing step, nothing past it ran

        job.ThrowAt = -1;
        Array.Clear(job.Runs);
        job.RunSteps(100, 4);
        Assert.Equal(Recurrence.Expected(100, 4), job.Values);
    }
}
