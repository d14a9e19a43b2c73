using Recur.Tensors;

namespace Recur.Data;

/// <summary>Forecasting samples cut from a series.</summary>
/// <param name="Inputs">(N, lookback, F): the lookback steps before each forecast, every feature.</param>
/// <param name="Targets">(N, horizon, Ft): the next horizon steps of the target columns.</param>
public sealed record WindowedSeries(Tensor Inputs, Tensor Targets)
{
    /// <summary>N, the number of windows.</summary>
    public int Count => Inputs.Dim(0);
}

/// <summary>
/// Cuts a series (T, F) into supervised samples: window n starts at step s = n·stride; its input is rows
/// s .. s+lookback-1 and its target is rows s+lookback .. s+lookback+horizon-1 of the target columns.
/// N = (T - lookback - horizon) / stride + 1 windows, the last steps dropped when the stride does not divide evenly.
/// </summary>
public static class SlidingWindows
{
    /// <summary>The number of windows a series of <paramref name="timeSteps"/> gives (0 if it is too short).</summary>
    public static int Count(int timeSteps, int lookback, int horizon, int stride = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(lookback);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(horizon);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        int span = lookback + horizon;
        return timeSteps < span ? 0 : (timeSteps - span) / stride + 1;
    }

    /// <summary>
    /// Windows of <paramref name="series"/> (T, F). <paramref name="targetColumns"/> picks the target features
    /// (empty: all F, i.e. forecast the whole series).
    /// </summary>
    /// <exception cref="ArgumentException">The series is shorter than lookback + horizon, or a column is out of range.</exception>
    public static WindowedSeries Create(Tensor series, int lookback, int horizon, ReadOnlySpan<int> targetColumns = default, int stride = 1)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Rank != 2)
        {
            throw new ArgumentException($"series: expected (T, F), got {series.ShapeText}; reshape a univariate series to (T, 1).", nameof(series));
        }

        int t = series.Dim(0), f = series.Dim(1);
        int n = Count(t, lookback, horizon, stride);
        if (n == 0)
        {
            throw new ArgumentException(
                $"series: {t} time steps are too few for lookback {lookback} + horizon {horizon} = {lookback + horizon}.", nameof(series));
        }

        int[] targets = targetColumns.IsEmpty ? Enumerable.Range(0, f).ToArray() : targetColumns.ToArray();
        foreach (int c in targets)
        {
            if ((uint)c >= (uint)f)
            {
                throw new ArgumentOutOfRangeException(nameof(targetColumns), $"Target column {c} is outside 0 .. {f - 1} of series {series.ShapeText}.");
            }
        }

        int ft = targets.Length;
        var inputs = new Tensor(n, lookback, f);
        var outputs = new Tensor(n, horizon, ft);
        var src = series.Span;
        var x = inputs.Span;
        var y = outputs.Span;
        for (int w = 0; w < n; w++)
        {
            int s = w * stride;
            // Input rows are contiguous in the series: one copy per window.
            src.Slice(s * f, lookback * f).CopyTo(x.Slice(w * lookback * f, lookback * f));
            for (int h = 0; h < horizon; h++)
            {
                int row = (s + lookback + h) * f;
                int dst = (w * horizon + h) * ft;
                for (int j = 0; j < ft; j++)
                {
                    y[dst + j] = src[row + targets[j]];
                }
            }
        }

        return new WindowedSeries(inputs, outputs);
    }
}
