namespace Recur.Cli;

/// <summary>A problem the user can fix (a missing file, a bad option): printed as one line, without a stack trace.</summary>
internal sealed class CliException(string message) : Exception(message);
