using System.Text.Json.Nodes;

namespace Recur.Data;

/// <summary>
/// Standardises each feature: y = (x - mean) / std, with the population standard deviation of the training data.
/// A constant column maps to 0.
/// </summary>
public sealed class StandardScaler : FeatureScaler
{
    internal const string Type = "standard";

    private double[] _mean = [];
    private double[] _std = [];

    /// <summary>The per-feature training means (F).</summary>
    public IReadOnlyList<double> Mean => _mean;

    /// <summary>The per-feature training standard deviations (F); 0 for a constant column.</summary>
    public IReadOnlyList<double> StandardDeviation => _std;

    /// <summary>Reads a standard scaler written by <see cref="FeatureScaler.ToJson"/>.</summary>
    public static new StandardScaler FromJson(string json) =>
        FeatureScaler.FromJson(json) as StandardScaler ?? throw new FormatException("scaler: expected type 'standard'.");

    private protected override string TypeName => Type;

    private protected override void FitColumns(ReadOnlySpan<float> values, int features)
    {
        int rows = values.Length / features;
        var mean = new double[features];
        var std = new double[features];
        for (int i = 0; i < values.Length; i++)
        {
            mean[i % features] += values[i];
        }

        for (int c = 0; c < features; c++)
        {
            mean[c] /= rows;
        }

        // Second pass over the deviations: exact for a constant column, unlike E[x²] - E[x]².
        for (int i = 0; i < values.Length; i++)
        {
            double d = values[i] - mean[i % features];
            std[i % features] += d * d;
        }

        for (int c = 0; c < features; c++)
        {
            std[c] = Math.Sqrt(std[c] / rows);
        }

        SetStatistics(mean, std);
    }

    private protected override void WriteStatistics(JsonObject json)
    {
        json["mean"] = ToJsonArray(_mean);
        json["std"] = ToJsonArray(_std);
    }

    private protected override void ReadStatistics(JsonObject json)
    {
        var mean = JsonFields.GetArray<double>(json, "mean", "scaler");
        var std = JsonFields.GetArray<double>(json, "std", "scaler");
        if (mean.Length != std.Length || std.Any(s => !(s >= 0)))
        {
            throw new FormatException($"scaler: expected equally long 'mean' and 'std' (>= 0), got {mean.Length} and {std.Length}.");
        }

        SetStatistics(mean, std);
    }

    private void SetStatistics(double[] mean, double[] std)
    {
        _mean = mean;
        _std = std;
        var scale = new double[mean.Length];
        var offset = new double[mean.Length];
        for (int c = 0; c < mean.Length; c++)
        {
            scale[c] = IsConstant(std[c], mean[c]) ? 1.0 : 1.0 / std[c];
            offset[c] = -mean[c] * scale[c];
        }

        SetAffine(scale, offset);
    }
}
