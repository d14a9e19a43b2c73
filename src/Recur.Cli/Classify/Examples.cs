using System.IO.Enumeration;
using Recur.Cli.Common;
using Recur.Data;

namespace Recur.Cli.Classify;

/// <summary>
/// Labelled examples: <see cref="Inputs"/>[i] (a text, or the numbers of a CSV row) has label <see cref="Labels"/>[i]
/// and came from <see cref="Origins"/>[i] ("file:line", for error messages).
/// </summary>
internal sealed record Examples<T>(T[] Inputs, string[] Labels, string[] Origins)
{
    public int Count => Inputs.Length;

    public Examples<T> Subset(ReadOnlySpan<int> indices) => new(Splits.Take(Inputs, indices), Splits.Take(Labels, indices), Splits.Take(Origins, indices));

    /// <summary>The class id of every label in <paramref name="classes"/>.</summary>
    /// <exception cref="CliException">A label the model was not trained on, named with its file and line.</exception>
    public int[] ClassIds(IReadOnlyList<string> classes)
    {
        var ids = new int[Count];
        for (int i = 0; i < Count; i++)
        {
            ids[i] = IndexOf(classes, Labels[i]);
            if (ids[i] < 0)
            {
                throw new CliException($"{Origins[i]}: the label '{Labels[i]}' is not one of the model's classes ({string.Join(", ", classes)})");
            }
        }

        return ids;
    }

    private static int IndexOf(IReadOnlyList<string> items, string item)
    {
        for (int i = 0; i < items.Count; i++)
        {
            if (items[i] == item)
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>
/// Reads labelled examples from CSV or TSV files with a header. A <c>.tsv</c> file is split at tabs with quotes read
/// literally (free text often opens a quote it never closes); any other file is comma-separated CSV with optional quoting.
/// </summary>
internal static class Examples
{
    /// <summary>Reads a text column and a label column from every file.</summary>
    /// <exception cref="CliException">A file is missing, empty or has no data rows.</exception>
    /// <exception cref="DataFormatException">Not UTF-8, a column is missing (the available ones are listed) or a cell is empty.</exception>
    public static Examples<string> ReadTexts(IReadOnlyList<string> paths, string textColumn, string labelColumn)
    {
        List<string> texts = [], labels = [], origins = [];
        foreach (string path in paths)
        {
            var (rows, lines) = ReadColumns(path, [textColumn, labelColumn]);
            for (int i = 0; i < rows.Length; i++)
            {
                texts.Add(rows[i][0]);
                labels.Add(rows[i][1]);
                origins.Add($"{path}:{lines[i]}");
            }
        }

        return new([.. texts], [.. labels], [.. origins]);
    }

    /// <summary>
    /// The feature columns of a CSV: those matching <paramref name="patterns"/> (names, or patterns with <c>*</c> and
    /// <c>?</c>; in the order given, each pattern's matches in header order), or by default every column but the label.
    /// </summary>
    /// <exception cref="CliException">A missing or empty file, a pattern that matches nothing, or no column besides the label.</exception>
    public static string[] FeatureColumns(string path, string[]? patterns, string labelColumn)
    {
        string[] header = Header(path);
        var candidates = header.Where(h => h != labelColumn).ToArray();
        if (patterns is null)
        {
            return candidates.Length > 0 ? candidates : throw new CliException($"{path}:1: no column besides '{labelColumn}' to read as features");
        }

        List<string> columns = [];
        foreach (string pattern in patterns)
        {
            var matches = candidates.Where(h => FileSystemName.MatchesSimpleExpression(pattern, h, ignoreCase: false)).ToArray();
            if (matches.Length == 0)
            {
                throw new CliException($"{path}:1: --features '{pattern}' matches no column but the label; the columns are: {string.Join(", ", header)}");
            }

            columns.AddRange(matches.Except(columns));
        }

        return [.. columns];
    }

    /// <summary>Reads the numeric <paramref name="columns"/> (in that order) and the label column from every file.</summary>
    /// <exception cref="CliException">A file is missing, empty or has no data rows.</exception>
    /// <exception cref="DataFormatException">Not UTF-8, a column is missing, or a cell is empty, text or NaN: the file, line and column are named.</exception>
    public static Examples<float[]> ReadNumbers(IReadOnlyList<string> paths, IReadOnlyList<string> columns, string labelColumn)
    {
        List<float[]> values = [];
        List<string> labels = [], origins = [];
        foreach (string path in paths)
        {
            // The labels (with the line of each row), then the numbers: both skip the same blank lines and refuse gaps.
            var (rows, lines) = ReadColumns(path, [labelColumn]);
            labels.AddRange(rows.Select(r => r[0]));
            origins.AddRange(lines.Select(l => $"{path}:{l}"));
            values.AddRange(ReadValues(path, [.. columns]));
        }

        return new([.. values], [.. labels], [.. origins]);
    }

    /// <summary>The texts of <paramref name="column"/> in <paramref name="path"/>, unlabelled, and where each is ("file:line").</summary>
    /// <exception cref="CliException">No such file, an empty file, or no data rows.</exception>
    /// <exception cref="DataFormatException">The column is missing, or a cell is empty.</exception>
    public static (string[] Texts, string[] Origins) ReadTexts(string path, string column)
    {
        var (rows, lines) = ReadColumns(path, [column]);
        return ([.. rows.Select(r => r[0])], [.. lines.Select(l => $"{path}:{l}")]);
    }

    /// <summary>The numeric <paramref name="columns"/> of every row of <paramref name="path"/>, unlabelled, and where each row is ("file:line").</summary>
    /// <exception cref="CliException">No such file, an empty file, or no data rows.</exception>
    /// <exception cref="DataFormatException">A column is missing, or a cell is empty, text or NaN.</exception>
    public static (float[][] Rows, string[] Origins) ReadNumbers(string path, IReadOnlyList<string> columns)
    {
        var (_, origins) = ReadTexts(path, columns[0]);
        return (ReadValues(path, [.. columns]), origins);
    }

    private static float[][] ReadValues(string path, string[] columns)
    {
        var table = CsvReader.Read(path, columns, Options(path));
        int c = columns.Length;
        return Enumerable.Range(0, table.RowCount).Select(r => table.Values.Span.Slice(r * c, c).ToArray()).ToArray();
    }

    private static (string[][] Rows, int[] Lines) ReadColumns(string path, string[] columns)
    {
        InputText.Read(path, "--data"); // the same missing- and empty-file errors as every other command
        var (rows, lines) = CsvReader.ReadText(path, columns, Options(path));
        return rows.Length > 0 ? (rows, lines) : throw new CliException($"{path}: no data rows below the header");
    }

    /// <summary>Whether <paramref name="path"/> is read as a table (<c>.csv</c> or <c>.tsv</c>) rather than as lines of text.</summary>
    public static bool IsTable(string path) => path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || IsTsv(path);

    private static bool IsTsv(string path) => path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase);

    private static CsvOptions Options(string path) => new() { Separator = IsTsv(path) ? '\t' : ',', Quoted = !IsTsv(path) };

    private static string[] Header(string path)
    {
        InputText.Read(path, "--data"); // the CLI's own message for a missing, empty or non-UTF-8 file
        return CsvReader.ReadColumnNames(path, Options(path));
    }
}
