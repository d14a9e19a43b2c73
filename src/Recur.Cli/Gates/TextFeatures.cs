using System.Text;

namespace Recur.Cli.Gates;

/// <summary>A property of each character of a text that a unit may track: its value after reading each character.</summary>
/// <param name="Name">As the page names it, e.g. "inside \"…\"".</param>
/// <param name="Short">As the heatmap's axis names it, e.g. "quote".</param>
/// <param name="Values">(T): one value per character.</param>
internal sealed record TextFeature(string Name, string Short, double[] Values);

/// <summary>
/// The interpretable features of Karpathy, Johnson and Fei-Fei, "Visualizing and Understanding Recurrent Networks"
/// (2015), whose LSTM cells tracked them: being inside quotes or parentheses, the position in the line, being inside
/// a word. Each is what a unit could know after reading the character, so the opening and closing marks count as inside.
/// </summary>
internal static class TextFeatures
{
    /// <summary>The features of <paramref name="chars"/> (one string per character) that vary over it.</summary>
    public static IReadOnlyList<TextFeature> Of(IReadOnlyList<string> chars)
    {
        int n = chars.Count;
        double[] quote = new double[n], paren = new double[n], column = new double[n], word = new double[n];
        bool inQuote = false;
        int depth = 0, position = 0;
        for (int t = 0; t < n; t++)
        {
            string ch = chars[t];
            if (ch == "\"")
            {
                inQuote = !inQuote;
            }

            depth = ch switch { "(" => depth + 1, ")" => Math.Max(0, depth - 1), _ => depth };
            position = ch == "\n" ? 0 : position + 1;
            quote[t] = inQuote || ch == "\"" ? 1 : 0;
            paren[t] = depth > 0 || ch == ")" ? 1 : 0;
            column[t] = position;
            word[t] = Rune.IsLetterOrDigit(Rune.GetRuneAt(ch, 0)) ? 1 : 0;
        }

        TextFeature[] all =
        [
            new("inside \"…\"", "quote", quote),
            new("inside (…)", "paren", paren),
            new("position in line", "line", column),
            new("inside a word", "word", word),
        ];
        return all.Where(f => f.Values.Distinct().Skip(1).Any()).ToArray();
    }

    /// <summary>Pearson's correlation of <paramref name="x"/> and <paramref name="y"/>; 0 when either is constant.</summary>
    public static double Correlation(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double mx = Mean(x), my = Mean(y), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }

        return sxx == 0 || syy == 0 ? 0 : sxy / Math.Sqrt(sxx * syy);
    }

    public static double Mean(ReadOnlySpan<double> x)
    {
        double sum = 0;
        foreach (double v in x)
        {
            sum += v;
        }

        return sum / x.Length;
    }

    public static double StandardDeviation(ReadOnlySpan<double> x)
    {
        double mean = Mean(x), sum = 0;
        foreach (double v in x)
        {
            sum += (v - mean) * (v - mean);
        }

        return Math.Sqrt(sum / x.Length);
    }
}
