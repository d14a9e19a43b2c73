namespace Recur.Data;

/// <summary>
/// A data file (CSV, TSV, text) that cannot be read as asked. The message starts with the file path and, where it
/// applies, the 1-based line ("data.csv:12: ..."), so it can be pasted into an editor's "go to" box.
/// </summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates an exception for <paramref name="filePath"/>, optionally at a 1-based line.</summary>
    public DataFormatException(string filePath, int? line, string message, Exception? innerException = null)
        : base(Format(filePath, line, message), innerException)
    {
        FilePath = filePath;
        Line = line;
    }

    /// <summary>The file (or source name) that was being read.</summary>
    public string FilePath { get; }

    /// <summary>The 1-based line of the problem, or null when it concerns the whole file.</summary>
    public int? Line { get; }

    private static string Format(string filePath, int? line, string message) =>
        line is int l ? $"{filePath}:{l}: {message}" : $"{filePath}: {message}";
}
