using Recur.Tensors;

namespace Recur.Cli.GradFlow;

/// <summary>
/// The adding problem (Hochreiter and Schmidhuber, 1997; as in Le et al., 2015 and Arjovsky et al., 2016): each
/// sequence has T steps of two channels, a value drawn from U(0, 1) and a marker that is 1 at exactly two steps, one
/// in the first half and one in the second, 0 elsewhere. The target, read after the last step, is the sum of the two
/// marked values. Always answering 1 (the mean of the sum) scores the variance of the sum, 2 · 1/12 = 0.167.
/// </summary>
internal static class AddingProblem
{
    /// <summary>Inputs per step: the value and the marker.</summary>
    public const int Channels = 2;

    /// <summary>The mean squared error of always answering 1: Var(U1 + U2) = 1/6.</summary>
    public const double BaselineMse = 1.0 / 6.0;

    /// <summary>The test MSE below which a run counts as solved (6% of the baseline).</summary>
    public const double SolvedMse = 0.01;

    /// <summary>
    /// <paramref name="count"/> sequences of <paramref name="length"/> steps drawn from <paramref name="rng"/>:
    /// inputs (N, T, 2), targets (N, 1).
    /// </summary>
    public static LabData Generate(int count, int length, Rng rng)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 2);
        ArgumentNullException.ThrowIfNull(rng);
        var inputs = new Tensor(count, length, Channels); // (N, T, 2): value, marker
        var targets = new Tensor(count, 1);               // (N, 1)
        var x = inputs.Span;
        int half = length / 2;
        for (int n = 0; n < count; n++)
        {
            var row = x.Slice(n * length * Channels, length * Channels);
            for (int t = 0; t < length; t++)
            {
                row[t * Channels] = (float)rng.NextDouble();
            }

            int first = rng.NextInt(half), second = half + rng.NextInt(length - half);
            row[first * Channels + 1] = 1f;
            row[second * Channels + 1] = 1f;
            targets.Span[n] = row[first * Channels] + row[second * Channels];
        }

        return new LabData(inputs, targets);
    }
}

/// <summary>
/// The copy-memory task (Hochreiter and Schmidhuber, 1997; in the form of Arjovsky et al., 2016): symbols 0 blank,
/// 1..8 data, 9 delimiter, one-hot. A sequence of T + 20 steps starts with 10 data symbols drawn uniformly, then T - 1
/// blanks, the delimiter, and 10 blanks; the target is blank for the first T + 10 steps, then the 10 data symbols in
/// order. The lag between a symbol and its recall is T + 10. The memoryless strategy (blanks, then any data symbol
/// at random) has cross-entropy 10 · ln 8 / (T + 20) per step and recalls 1 symbol in 8.
/// </summary>
internal static class CopyMemory
{
    /// <summary>The symbols to recall.</summary>
    public const int Recalled = 10;

    /// <summary>Distinct data symbols (1..8).</summary>
    public const int DataSymbols = 8;

    /// <summary>Input classes: blank, 8 data symbols, delimiter.</summary>
    public const int InputSymbols = DataSymbols + 2;

    /// <summary>Output classes: blank and the 8 data symbols (the delimiter is never a target).</summary>
    public const int OutputSymbols = DataSymbols + 1;

    /// <summary>The input symbol that says "now recall".</summary>
    public const int Delimiter = DataSymbols + 1;

    /// <summary>The recall accuracy at or above which a run counts as solved.</summary>
    public const double SolvedAccuracy = 0.99;

    /// <summary>Sequence length for lag <paramref name="lag"/>: T + 20.</summary>
    public static int Length(int lag) => lag + 2 * Recalled;

    /// <summary>The cross-entropy per step of the memoryless strategy, 10 · ln 8 / (T + 20).</summary>
    public static double BaselineCrossEntropy(int lag) => Recalled * Math.Log(DataSymbols) / Length(lag);

    /// <summary>
    /// <paramref name="count"/> sequences for lag <paramref name="lag"/> drawn from <paramref name="rng"/>: one-hot
    /// inputs (N, T + 20, 10) and class targets (N, T + 20).
    /// </summary>
    public static LabData Generate(int count, int lag, Rng rng)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(lag, 1);
        ArgumentNullException.ThrowIfNull(rng);
        int length = Length(lag);
        var inputs = new Tensor(count, length, InputSymbols); // (N, T+20, 10) one-hot
        var targets = new Tensor(count, length);              // (N, T+20) class indices, 0 = blank
        for (int n = 0; n < count; n++)
        {
            var x = inputs.Span.Slice(n * length * InputSymbols, length * InputSymbols);
            var y = targets.Span.Slice(n * length, length);
            for (int t = 0; t < length; t++)
            {
                int symbol = t < Recalled ? 1 + rng.NextInt(DataSymbols) : t == lag + Recalled - 1 ? Delimiter : 0;
                x[t * InputSymbols + symbol] = 1f;
                if (t < Recalled)
                {
                    y[lag + Recalled + t] = symbol;
                }
            }
        }

        return new LabData(inputs, targets);
    }
}
