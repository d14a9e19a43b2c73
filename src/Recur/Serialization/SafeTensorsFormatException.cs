namespace Recur.Serialization;

/// <summary>
/// Thrown when safetensors data is malformed: a bad length prefix or header, an unsupported dtype, offsets that do
/// not tile the data buffer, or a truncated file. The message names the file (when read from a path), the tensor
/// (when one is at fault) and what was expected against what was found.
/// </summary>
public sealed class SafeTensorsFormatException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public SafeTensorsFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public SafeTensorsFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    internal SafeTensorsFormatException(string? filePath, string? tensorName, string detail, Exception? innerException = null)
        : base($"{filePath ?? "safetensors data"}: {detail}", innerException)
    {
        FilePath = filePath;
        TensorName = tensorName;
    }

    /// <summary>The file being read, or null when reading a stream or bytes.</summary>
    public string? FilePath { get; }

    /// <summary>The tensor at fault, or null when the problem is not about one tensor.</summary>
    public string? TensorName { get; }
}
