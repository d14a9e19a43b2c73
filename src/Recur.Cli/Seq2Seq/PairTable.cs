using Recur.Cli.Common;
using Recur.Data;

namespace Recur.Cli.Seq2Seq;

/// <summary>Source → target pairs read from two columns of a tab-separated file with a header line.</summary>
/// <param name="Sources">The source texts, in file order.</param>
/// <param name="Targets">The target texts, one per source.</param>
/// <param name="Skipped">Rows left out because the source or the target was empty (e.g. a verb without a past form).</param>
internal sealed record PairTable(string[] Sources, string[] Targets, int Skipped)
{
    /// <summary>Reads columns <paramref name="source"/> and <paramref name="target"/> (named in the header) of <paramref name="path"/>.</summary>
    /// <exception cref="CliException">No such file, an empty file, a column not in the header, or no pair at all.</exception>
    /// <exception cref="DataFormatException">Not UTF-8, or a row with another number of fields than the header: the line is named.</exception>
    public static PairTable Read(string path, string source, string target)
    {
        var lines = TextFile.SplitLines(InputText.Read(path, "--data"));
        string[] header = lines[0].Split('\t');
        int s = Column(header, source, "--source-column", path), t = Column(header, target, "--target-column", path);
        List<string> sources = [], targets = [];
        int skipped = 0;
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }

            string[] fields = lines[i].Split('\t');
            if (fields.Length != header.Length)
            {
                throw new DataFormatException(path, i + 1, $"expected {header.Length} tab-separated fields as in the header, got {fields.Length}");
            }

            if (string.IsNullOrWhiteSpace(fields[s]) || string.IsNullOrWhiteSpace(fields[t]))
            {
                skipped++;
                continue;
            }

            sources.Add(fields[s].Trim());
            targets.Add(fields[t].Trim());
        }

        if (sources.Count == 0)
        {
            throw new CliException($"{path}: no row has both a '{source}' and a '{target}' value");
        }

        return new PairTable([.. sources], [.. targets], skipped);
    }

    private static int Column(string[] header, string name, string option, string path)
    {
        int index = Array.IndexOf(header, name);
        return index >= 0 ? index : throw new CliException(
            $"{path}:1: {option} '{name}' is not a column of the header; the columns are: {string.Join(", ", header)}");
    }
}
