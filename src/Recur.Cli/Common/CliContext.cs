namespace Recur.Cli.Common;

/// <summary>What every command gets from <see cref="App"/>: where to write, whether that is a live terminal, and Ctrl+C.</summary>
/// <param name="Output">Results and progress.</param>
/// <param name="Error">Warnings (errors are thrown and printed by <see cref="App"/>).</param>
/// <param name="Interactive">Whether <paramref name="Output"/> is a terminal, where a live progress bar can be drawn.</param>
/// <param name="Cancellation">Set by the first Ctrl+C or SIGTERM: stop after the current step and keep what was learnt.</param>
internal sealed record CliContext(TextWriter Output, TextWriter Error, bool Interactive, CancellationToken Cancellation);
