using Recur.Data;

namespace Recur.Cli.Common;

/// <summary>Reads the text a command learns from, with one clear error for a missing, empty or non-UTF-8 file.</summary>
internal static class InputText
{
    /// <summary>The whole of <paramref name="path"/>, given by <paramref name="option"/> (named in errors).</summary>
    /// <exception cref="CliException">No such file, or it holds no text.</exception>
    /// <exception cref="DataFormatException">Not UTF-8: the message names the byte offset and line.</exception>
    public static string Read(string path, string option)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"{option}: no such file: {Path.GetFullPath(path)}");
        }

        string text = TextFile.ReadAllText(path);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new CliException($"{path}: the file is empty; {option} needs a text to learn from");
        }

        return text;
    }

    /// <summary>Cuts off the last <paramref name="fraction"/> of the text at a line start (or anywhere if it has no line there).</summary>
    public static (string Head, string Tail) SplitTail(string text, double fraction)
    {
        int cut = (int)(text.Length * (1 - fraction));
        int lineStart = text.IndexOf('\n', cut);
        if (lineStart >= 0 && lineStart + 1 < text.Length)
        {
            cut = lineStart + 1;
        }

        return (text[..cut], text[cut..]);
    }
}
