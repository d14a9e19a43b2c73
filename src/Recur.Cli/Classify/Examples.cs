using Recur.Cli.Common;
using Recur.Data;

namespace Recur.Cli.Classify;

/// <summary>
/// Labelled texts (or symbol sequences such as DNA) read from CSV or TSV files: <see cref="Texts"/>[i] has label
/// <see cref="Labels"/>[i] and came from <see cref="Origins"/>[i] ("file:line", for error messages).
/// </summary>
internal sealed record Examples(string[] Texts, string[] Labels, string[] Origins)
{
    public int Count => Texts.Length;

    /// <summary>
    /// Reads the two columns from every file. A <c>.tsv</c> file is split at tabs with quotes read literally (free
    /// text often opens a quote it never closes); any other file is comma-separated CSV with optional quoting.
    /// </summary>
    /// <exception cref="CliException">A file is missing, empty or has no data rows.</exception>
    /// <exception cref="DataFormatException">Not UTF-8, a column is missing (the available ones are listed) or a cell is empty.</exception>
    public static Examples Read(IReadOnlyList<string> paths, string textColumn, string labelColumn)
    {
        List<string> texts = [], labels = [], origins = [];
        foreach (string path in paths)
        {
            InputText.Read(path, "--data"); // the same missing- and empty-file errors as every other command
            bool tsv = path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase);
            var (rows, lines) = CsvReader.ReadText(path, [textColumn, labelColumn], new CsvOptions { Separator = tsv ? '\t' : ',', Quoted = !tsv });
            if (rows.Length == 0)
            {
                throw new CliException($"{path}: no data rows below the header");
            }

            for (int i = 0; i < rows.Length; i++)
            {
                texts.Add(rows[i][0]);
                labels.Add(rows[i][1]);
                origins.Add($"{path}:{lines[i]}");
            }
        }

        return new([.. texts], [.. labels], [.. origins]);
    }

    public Examples Subset(ReadOnlySpan<int> indices) => new(Splits.Take(Texts, indices), Splits.Take(Labels, indices), Splits.Take(Origins, indices));

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

    /// <summary>The token ids of every text.</summary>
    /// <exception cref="CliException">A text with no tokens at all, named with its file and line.</exception>
    public int[][] Encode(Tokenizer tokenizer) => Texts.Select((text, i) =>
    {
        var ids = tokenizer.Encode(text);
        return ids.Length > 0 ? ids : throw new CliException($"{Origins[i]}: the text '{text}' has no tokens");
    }).ToArray();

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
