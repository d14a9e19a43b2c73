using Recur.Tensors;

namespace Recur.Data;

/// <summary>
/// Irregularly sampled series: adds the time since the previous observation as an input feature, so a recurrent
/// model sees how far apart its steps are (a gap of 3 days carries more change than a gap of 1).
/// </summary>
public static class TimeGaps
{
    /// <summary>
    /// (T, F) values observed at increasing <paramref name="times"/> (T) → (T, F + 1): the values, then
    /// Δt_i = (t_i − t_{i−1}) / <paramref name="unit"/>, with Δt_0 = 0.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ, a time is not finite, or times do not increase (the first offending index named).</exception>
    public static Tensor AppendGapFeature(Tensor values, ReadOnlySpan<double> times, double unit = 1.0)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Rank != 2)
        {
            throw new ArgumentException($"values: expected shape (T, F), got {values.ShapeText}.", nameof(values));
        }

        if (!(unit > 0 && double.IsFinite(unit)))
        {
            throw new ArgumentOutOfRangeException(nameof(unit), unit, "unit: expected a finite value > 0.");
        }

        int steps = values.Dim(0), features = values.Dim(1);
        if (times.Length != steps)
        {
            throw new ArgumentException($"times: expected {steps} times (one per row of values {values.ShapeText}), got {times.Length}.", nameof(times));
        }

        var result = new Tensor(steps, features + 1);
        for (int t = 0; t < steps; t++)
        {
            if (!double.IsFinite(times[t]) || (t > 0 && times[t] <= times[t - 1]))
            {
                throw new ArgumentException(
                    $"times[{t}]: expected a finite time after times[{Math.Max(0, t - 1)}] = {times[Math.Max(0, t - 1)]}, got {times[t]}.", nameof(times));
            }

            values.Span.Slice(t * features, features).CopyTo(result.Span.Slice(t * (features + 1), features));
            result.Span[t * (features + 1) + features] = t == 0 ? 0f : (float)((times[t] - times[t - 1]) / unit);
        }

        return result;
    }
}
