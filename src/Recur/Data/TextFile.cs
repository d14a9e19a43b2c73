using System.Text;

namespace Recur.Data;

/// <summary>
/// Reads UTF-8 text files strictly: a byte sequence that is not UTF-8 is an error naming the file and byte offset,
/// instead of the silent U+FFFD replacement that <see cref="File.ReadAllText(string)"/> makes, which would put
/// a garbage character into a vocabulary.
/// </summary>
public static class TextFile
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The whole file as a string; a leading UTF-8 byte order mark is dropped.</summary>
    /// <exception cref="DataFormatException">The file is not valid UTF-8 (the message gives the byte offset).</exception>
    public static string ReadAllText(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Decode(File.ReadAllBytes(path), path);
    }

    /// <summary>
    /// The file's lines without their terminators ("\n" or "\r\n"). A final terminator does not start an empty line.
    /// </summary>
    /// <exception cref="DataFormatException">The file is not valid UTF-8.</exception>
    public static string[] ReadLines(string path) => SplitLines(ReadAllText(path));

    /// <summary>Decodes <paramref name="bytes"/> as strict UTF-8; <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="DataFormatException">The bytes are not valid UTF-8.</exception>
    public static string Decode(ReadOnlySpan<byte> bytes, string sourceName)
    {
        ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
        int start = bytes.StartsWith(bom) ? bom.Length : 0;
        try
        {
            return StrictUtf8.GetString(bytes[start..]);
        }
        catch (DecoderFallbackException e)
        {
            // Index is relative to the span handed to the decoder, which starts after the BOM.
            int offset = start + e.Index;
            int line = bytes[..offset].Count((byte)'\n') + 1; // an editor goes to a line, not to a byte
            string hex = e.BytesUnknown is { Length: > 0 } unknown ? $", 0x{Convert.ToHexString(unknown)}" : "";
            throw new DataFormatException(sourceName, line: null,
                $"invalid UTF-8 at byte offset {offset} (line {line}{hex}); save the file as UTF-8.", e);
        }
    }

    /// <summary>Splits text at "\n", dropping a "\r" before it; a trailing terminator does not add an empty line.</summary>
    public static string[] SplitLines(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return [];
        }

        var lines = text.Split('\n');
        int count = text.EndsWith('\n') ? lines.Length - 1 : lines.Length;
        var result = new string[count];
        for (int i = 0; i < count; i++)
        {
            result[i] = lines[i].EndsWith('\r') ? lines[i][..^1] : lines[i];
        }

        return result;
    }
}
