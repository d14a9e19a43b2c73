using System.Globalization;
using Recur.Tensors;

namespace Recur.Data;

/// <summary>
/// Sentences with integer class labels, read from a tab-separated file (see <see cref="Read"/>).
/// <see cref="Texts"/>[i] has label <see cref="Labels"/>[i].
/// </summary>
public sealed class LabelledSentences
{
    /// <summary>Pairs <paramref name="texts"/> with <paramref name="labels"/> (same count, labels ≥ 0).</summary>
    public LabelledSentences(IReadOnlyList<string> texts, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(labels);
        if (texts.Count != labels.Length)
        {
            throw new ArgumentException($"Expected one label per text: {texts.Count} texts, {labels.Length} labels.", nameof(labels));
        }

        int negative = Array.FindIndex(labels, l => l < 0);
        if (negative >= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(labels), $"Labels must be >= 0, got {labels[negative]} at index {negative}.");
        }

        Texts = texts;
        Labels = labels;
    }

    /// <summary>The sentences.</summary>
    public IReadOnlyList<string> Texts { get; }

    /// <summary>The class of each sentence, 0 .. <see cref="ClassCount"/>-1.</summary>
    public int[] Labels { get; }

    /// <summary>Number of sentences.</summary>
    public int Count => Labels.Length;

    /// <summary>One more than the largest label (0 when empty).</summary>
    public int ClassCount => Labels.Length == 0 ? 0 : Labels.Max() + 1;

    /// <summary>The labels as a (N) float tensor, e.g. the targets of a <see cref="SequenceBatcher"/>.</summary>
    public Tensor LabelTensor() => Tensor.FromValues(Labels.Select(l => (float)l).ToArray(), Labels.Length);

    /// <summary>The sentences at <paramref name="indices"/> (e.g. one part of a <see cref="Splits"/> result).</summary>
    public LabelledSentences Subset(ReadOnlySpan<int> indices) =>
        new(Splits.Take(Texts, indices), Splits.Take(Labels, indices));

    /// <summary>
    /// Reads a TSV file of labelled sentences. Each line is <c>text&lt;TAB&gt;label</c>; a first line that names the
    /// columns ("text&lt;TAB&gt;label" or "label&lt;TAB&gt;text", any case) is a header that fixes their order, as in
    /// data/sentiment/uci-labelled. The text is split off at the tab next to the label, so it may itself hold tabs.
    /// Blank lines are skipped.
    /// </summary>
    /// <exception cref="DataFormatException">The file is empty, not UTF-8, a line has no tab, or a label is not an integer ≥ 0.</exception>
    public static LabelledSentences Read(string path)
    {
        var lines = TextFile.ReadLines(path);
        int first = Array.FindIndex(lines, l => l.Trim().Length > 0);
        if (first < 0)
        {
            throw new DataFormatException(path, line: null, "the file is empty; expected lines of text<TAB>label.");
        }

        bool labelFirst = false;
        int start = first;
        string head = lines[first].Trim().ToLowerInvariant();
        if (head == "label\ttext" || head == "text\tlabel")
        {
            labelFirst = head.StartsWith("label", StringComparison.Ordinal);
            start = first + 1;
        }

        var texts = new List<string>();
        var labels = new List<int>();
        for (int i = start; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0)
            {
                continue;
            }

            int tab = labelFirst ? lines[i].IndexOf('\t', StringComparison.Ordinal) : lines[i].LastIndexOf('\t');
            if (tab < 0)
            {
                throw new DataFormatException(path, i + 1,
                    $"no tab; expected {(labelFirst ? "label<TAB>text" : "text<TAB>label")}.");
            }

            string label = (labelFirst ? lines[i][..tab] : lines[i][(tab + 1)..]).Trim();
            string text = labelFirst ? lines[i][(tab + 1)..] : lines[i][..tab];
            if (!int.TryParse(label, NumberStyles.None, CultureInfo.InvariantCulture, out int value))
            {
                throw new DataFormatException(path, i + 1, $"the label '{label}' is not an integer >= 0.");
            }

            texts.Add(text);
            labels.Add(value);
        }

        return new LabelledSentences(texts, labels.ToArray());
    }
}
