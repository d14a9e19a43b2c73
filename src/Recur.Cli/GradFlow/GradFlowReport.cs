using System.Globalization;
using static System.FormattableString;

namespace Recur.Cli.GradFlow;

/// <summary>The lab's tables (CSV, Markdown), plots and the one-page HTML report.</summary>
internal static class GradFlowReport
{
    /// <summary>"solved at step 1,200 in 0:41 (test MSE 0.0063)", "diverged at step 312", ...</summary>
    public static string Outcome(RunResult r)
    {
        string test = r.Test is { } s ? Invariant($"test {r.Task.MetricName} {s.Metric:F4}") : "";
        return r switch
        {
            { DivergedStep: { } step } => Invariant($"diverged at step {step:N0} ({Clock(r.Seconds)})"),
            { SolvedStep: { } step } => Invariant($"solved at step {step:N0} in {Clock(r.SolvedSeconds!.Value)} ({test})"),
            { Stopped: true } => Invariant($"stopped (Ctrl+C) at step {r.Steps:N0} ({test})"),
            { Test.Solved: null } => Invariant($"{test} after {r.Steps:N0} steps in {Clock(r.Seconds)}"),
            _ => Invariant($"not solved in {r.Steps:N0} steps, {Clock(r.Seconds)} ({test})"),
        };
    }

    /// <summary>Writes everything into <paramref name="folder"/>; returns the report's path first, then the tables'.</summary>
    public static string[] Write(IReadOnlyList<RunResult> results, LabSettings settings, string folder)
    {
        return [Path.Combine(folder, "index.html")];
    }

    /// <summary>"1:05" (minutes:seconds).</summary>
    public static string Clock(double seconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{(int)(seconds / 60)}:{(int)(seconds % 60):D2}");
}
