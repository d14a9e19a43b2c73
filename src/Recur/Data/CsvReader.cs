using System.Globalization;
using Recur.Tensors;

namespace Recur.Data;

/// <summary>What <see cref="CsvReader"/> does with an empty, "NA" or "NaN" cell in a selected column.</summary>
public enum MissingValuePolicy
{
    /// <summary>Throw a <see cref="DataFormatException"/> naming the line and column (the default: gaps are rarely intended).</summary>
    Throw,

    /// <summary>Drop the whole row.</summary>
    SkipRow,

    /// <summary>Use <see cref="CsvOptions.FillValue"/>.</summary>
    Fill,
}

/// <summary>Options for <see cref="CsvReader"/>.</summary>
public sealed record CsvOptions
{
    /// <summary>The field separator (',' by default; ';' or '\t' for other exports).</summary>
    public char Separator { get; init; } = ',';

    /// <summary>What to do with missing cells in the selected columns.</summary>
    public MissingValuePolicy Missing { get; init; } = MissingValuePolicy.Throw;

    /// <summary>The value used for missing cells under <see cref="MissingValuePolicy.Fill"/>.</summary>
    public float FillValue { get; init; }

    /// <summary>
    /// Whether a field may be double-quoted (true, CSV); false reads '"' as an ordinary character, as tab-separated
    /// exports of free text need (a sentence may open a quote it never closes).
    /// </summary>
    public bool Quoted { get; init; } = true;
}

/// <summary>Numeric columns read from a CSV file: <see cref="Values"/> is (R, C), one row per data line.</summary>
public sealed class CsvTable
{
    private readonly string[] _columns;

    internal CsvTable(string[] columns, Tensor values)
    {
        _columns = columns;
        Values = values;
    }

    /// <summary>The header names of the selected columns, in the order of <see cref="Values"/>' columns.</summary>
    public IReadOnlyList<string> Columns => _columns;

    /// <summary>(R, C) values: R data rows, C selected columns.</summary>
    public Tensor Values { get; }

    /// <summary>R, the number of data rows kept.</summary>
    public int RowCount => Values.Dim(0);

    /// <summary>A copy of one column, (R).</summary>
    /// <exception cref="ArgumentException">No selected column has that name.</exception>
    public Tensor Column(string name)
    {
        int c = Array.IndexOf(_columns, name);
        if (c < 0)
        {
            throw new ArgumentException($"No column '{name}'; the table has: {string.Join(", ", Columns)}.", nameof(name));
        }

        var column = new Tensor(RowCount);
        int width = _columns.Length;
        for (int r = 0; r < RowCount; r++)
        {
            column.Span[r] = Values.Span[r * width + c];
        }

        return column;
    }
}

/// <summary>
/// Reads numeric columns of a CSV file with a header row into a (R, C) tensor. Numbers are parsed with the invariant
/// culture ("3.5", never "3,5"), fields may be double-quoted, and blank lines are skipped. Every error is a
/// <see cref="DataFormatException"/> naming the file, the line and the column.
/// </summary>
public static class CsvReader
{
    /// <summary>Reads every column.</summary>
    /// <exception cref="DataFormatException">The file is empty, malformed, or holds text or gaps in a column.</exception>
    public static CsvTable Read(string path, CsvOptions? options = null)
    {
        var (lines, header, headerLine) = ReadHeader(path, options);
        return ReadRows(path, lines, header, headerLine, Enumerable.Range(0, header.Length).ToArray(), options ?? new());
    }

    /// <summary>Reads the columns with the given header names, in that order.</summary>
    /// <exception cref="DataFormatException">A column is missing (the message lists the available ones), or a cell is bad.</exception>
    public static CsvTable Read(string path, string[] columns, CsvOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var (lines, header, headerLine) = ReadHeader(path, options);
        return ReadRows(path, lines, header, headerLine, IndicesOf(columns, header, path, headerLine), options ?? new());
    }

    /// <summary>
    /// Reads the columns with the given header names as text, e.g. a sentence and its label: one array of cells per
    /// data row (trimmed, in the order of <paramref name="columns"/>) and the 1-based line number of each row. Only
    /// an empty cell is missing here: "NA" or "Nan" may be a word or a name.
    /// </summary>
    /// <exception cref="DataFormatException">A column is missing (the message lists the available ones), or a cell is empty under <see cref="MissingValuePolicy.Throw"/>.</exception>
    public static (string[][] Rows, int[] Lines) ReadText(string path, string[] columns, CsvOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        options ??= new();
        var (lines, header, headerLine) = ReadHeader(path, options);
        var indices = IndicesOf(columns, header, path, headerLine);
        List<string[]> rows = [];
        List<int> rowLines = [];
        for (int i = headerLine; i < lines.Length; i++)
        {
            var fields = DataFields(lines[i], header, options, path, i + 1);
            if (fields is null)
            {
                continue;
            }

            var row = indices.Select(c => fields[c].Trim()).ToArray();
            int gap = Array.FindIndex(row, cell => cell.Length == 0);
            if (gap >= 0)
            {
                if (options.Missing == MissingValuePolicy.Throw)
                {
                    throw new DataFormatException(path, i + 1, $"column '{columns[gap]}' (index {indices[gap]}) is empty.");
                }

                continue; // SkipRow; Fill has no text to fill with
            }

            rows.Add(row);
            rowLines.Add(i + 1);
        }

        return ([.. rows], [.. rowLines]);
    }

    private static int[] IndicesOf(string[] columns, string[] header, string path, int headerLine)
    {
        var indices = new int[columns.Length];
        for (int i = 0; i < columns.Length; i++)
        {
            indices[i] = Array.IndexOf(header, columns[i]);
            if (indices[i] < 0)
            {
                throw new DataFormatException(path, headerLine,
                    $"no column '{columns[i]}'; the available columns are: {string.Join(", ", header)}.");
            }
        }

        return indices;
    }

    /// <summary>Reads the columns at the given 0-based indices, in that order.</summary>
    /// <exception cref="DataFormatException">An index is past the header, or a cell is bad.</exception>
    public static CsvTable Read(string path, int[] columns, CsvOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var (lines, header, headerLine) = ReadHeader(path, options);
        foreach (int c in columns)
        {
            if ((uint)c >= (uint)header.Length)
            {
                throw new DataFormatException(path, headerLine,
                    $"no column at index {c}; the header has {header.Length} columns (0..{header.Length - 1}): {string.Join(", ", header)}.");
            }
        }

        return ReadRows(path, lines, header, headerLine, columns, options ?? new());
    }

    /// <summary>
    /// The column names of <paramref name="path"/>: its first non-blank line, split and trimmed as <see cref="Read(string, CsvOptions?)"/>
    /// splits it (a quoted name may hold the separator).
    /// </summary>
    /// <exception cref="DataFormatException">The file is empty or its header is malformed.</exception>
    public static string[] ReadColumnNames(string path, CsvOptions? options = null) => ReadHeader(path, options).Header;

    private static (string[] Lines, string[] Header, int HeaderLine) ReadHeader(string path, CsvOptions? options)
    {
        ArgumentNullException.ThrowIfNull(path);
        var lines = TextFile.ReadLines(path);
        int first = Array.FindIndex(lines, l => !string.IsNullOrWhiteSpace(l));
        if (first < 0)
        {
            throw new DataFormatException(path, line: null, "the file is empty; expected a header row of column names.");
        }

        var header = SplitFields(lines[first], options ?? new(), path, first + 1)
            .Select(h => h.Trim()).ToArray();
        return (lines, header, first + 1);
    }

    private static CsvTable ReadRows(string path, string[] lines, string[] header, int headerLine, int[] columns, CsvOptions options)
    {
        var values = new List<float>();
        var row = new float[columns.Length];
        int rows = 0;
        for (int i = headerLine; i < lines.Length; i++)
        {
            int lineNumber = i + 1;
            var fields = DataFields(lines[i], header, options, path, lineNumber);
            if (fields is not null && ParseRow(fields, header, columns, options, row, path, lineNumber))
            {
                values.AddRange(row);
                rows++;
            }
        }

        return new CsvTable(columns.Select(c => header[c]).ToArray(), Tensor.FromValues(values.ToArray(), rows, columns.Length));
    }

    /// <summary>The fields of a data line, checked against the header; null for a blank line.</summary>
    private static List<string>? DataFields(string line, string[] header, CsvOptions options, string path, int lineNumber)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return null;
        }

        var fields = SplitFields(line, options, path, lineNumber);
        if (fields.Count != header.Length)
        {
            throw new DataFormatException(path, lineNumber,
                $"the line has {fields.Count} fields, the header has {header.Length} ({string.Join(", ", header)}).");
        }

        return fields;
    }

    /// <summary>Parses the selected cells into <paramref name="row"/>; false when the row is to be skipped.</summary>
    private static bool ParseRow(List<string> fields, string[] header, int[] columns, CsvOptions options, float[] row, string path, int line)
    {
        for (int j = 0; j < columns.Length; j++)
        {
            int c = columns[j];
            string cell = fields[c].Trim();
            if (IsMissing(cell))
            {
                switch (options.Missing)
                {
                    case MissingValuePolicy.SkipRow:
                        return false;
                    case MissingValuePolicy.Fill:
                        row[j] = options.FillValue;
                        continue;
                    default:
                        string what = cell.Length == 0 ? "is empty" : $"holds '{cell}'";
                        throw new DataFormatException(path, line,
                            $"column '{header[c]}' (index {c}) {what}, a missing value; set CsvOptions.Missing to SkipRow or Fill to accept gaps.");
                }
            }

            if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
            {
                throw new DataFormatException(path, line,
                    $"column '{header[c]}' (index {c}) holds '{cell}', which is not a finite number (numbers use '.' as the decimal point).");
            }

            row[j] = value;
        }

        return true;
    }

    private static bool IsMissing(string cell) =>
        cell.Length == 0 || cell.Equals("NA", StringComparison.OrdinalIgnoreCase) || cell.Equals("NaN", StringComparison.OrdinalIgnoreCase);

    /// <summary>Splits one line into fields; a field may be double-quoted, with "" for a quote inside it, if <see cref="CsvOptions.Quoted"/>.</summary>
    private static List<string> SplitFields(string line, CsvOptions options, string path, int lineNumber)
    {
        char separator = options.Separator;
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        int i = 0;
        while (true)
        {
            field.Clear();
            if (options.Quoted && i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        throw new DataFormatException(path, lineNumber, $"field {fields.Count} opens a quote that is never closed.");
                    }

                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    field.Append(line[i++]);
                }
            }

            while (i < line.Length && line[i] != separator)
            {
                field.Append(line[i++]);
            }

            fields.Add(field.ToString());
            if (i >= line.Length)
            {
                return fields;
            }

            i++; // past the separator
        }
    }
}
