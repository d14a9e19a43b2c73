using Recur.Data;

namespace Recur.Cli.Text;

/// <summary>Choosing tokens from a language model's logits; the special tokens (&lt;pad&gt;, &lt;unk&gt;) are never chosen.</summary>
internal static class Sampling
{
    /// <summary>
    /// Draws an id from softmax(logits / <paramref name="temperature"/>) restricted to the <paramref name="topK"/>
    /// most likely ids (0: all).
    /// </summary>
    public static int Draw(ReadOnlySpan<float> logits, Vocabulary vocabulary, float temperature, int topK, Rng rng)
    {
        int[] candidates = Ranked(logits, vocabulary);
        if (topK > 0 && topK < candidates.Length)
        {
            candidates = candidates[..topK];
        }

        float max = logits[candidates[0]];
        var weights = new double[candidates.Length];
        double sum = 0;
        for (int i = 0; i < candidates.Length; i++)
        {
            sum += weights[i] = Math.Exp((logits[candidates[i]] - max) / temperature);
        }

        double u = rng.NextDouble() * sum;
        for (int i = 0; i < candidates.Length - 1; i++)
        {
            if ((u -= weights[i]) < 0)
            {
                return candidates[i];
            }
        }

        return candidates[^1];
    }

    /// <summary>The <paramref name="k"/> most likely ids with their probabilities under the full softmax.</summary>
    public static (int Id, double Probability)[] Top(ReadOnlySpan<float> logits, Vocabulary vocabulary, int k)
    {
        float max = System.Numerics.Tensors.TensorPrimitives.Max(logits);
        double sum = 0;
        foreach (float z in logits)
        {
            sum += Math.Exp(z - max);
        }

        var ranked = Ranked(logits, vocabulary);
        var top = new (int, double)[Math.Min(k, ranked.Length)];
        for (int i = 0; i < top.Length; i++)
        {
            top[i] = (ranked[i], Math.Exp(logits[ranked[i]] - max) / sum);
        }

        return top;
    }

    // The ordinary (non-special) ids, most likely first.
    private static int[] Ranked(ReadOnlySpan<float> logits, Vocabulary vocabulary)
    {
        var ids = Enumerable.Range(vocabulary.SpecialCount, logits.Length - vocabulary.SpecialCount).ToArray();
        var keys = new float[ids.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            keys[i] = -logits[ids[i]];
        }

        Array.Sort(keys, ids);
        return ids;
    }
}
