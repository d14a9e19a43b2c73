using System.Text.Json.Nodes;

namespace Recur.Data;

/// <summary>
/// Maps each feature's training range [min, max] linearly onto [<see cref="RangeLow"/>, <see cref="RangeHigh"/>]
/// (default [0, 1]). Values outside the training range map outside it: nothing is clipped. A constant column maps to
/// <see cref="RangeLow"/>.
/// </summary>
public sealed class MinMaxScaler : FeatureScaler
{
    internal const string Type = "minmax";

    private double[] _min = [];
    private double[] _max = [];

    /// <summary>Creates an unfitted scaler onto [<paramref name="rangeLow"/>, <paramref name="rangeHigh"/>].</summary>
    public MinMaxScaler(double rangeLow = 0, double rangeHigh = 1)
    {
        if (!(rangeLow < rangeHigh) || !double.IsFinite(rangeLow) || !double.IsFinite(rangeHigh))
        {
            throw new ArgumentOutOfRangeException(nameof(rangeHigh), $"Expected finite rangeLow < rangeHigh, got [{rangeLow}, {rangeHigh}].");
        }

        RangeLow = rangeLow;
        RangeHigh = rangeHigh;
    }

    /// <summary>The value a feature's training minimum maps to.</summary>
    public double RangeLow { get; private set; }

    /// <summary>The value a feature's training maximum maps to.</summary>
    public double RangeHigh { get; private set; }

    /// <summary>The per-feature training minima (F).</summary>
    public IReadOnlyList<double> DataMin => _min;

    /// <summary>The per-feature training maxima (F).</summary>
    public IReadOnlyList<double> DataMax => _max;

    /// <summary>Reads a min-max scaler written by <see cref="FeatureScaler.ToJson"/>.</summary>
    public static new MinMaxScaler FromJson(string json) =>
        FeatureScaler.FromJson(json) as MinMaxScaler ?? throw new FormatException("scaler: expected type 'minmax'.");

    private protected override string TypeName => Type;

    private protected override void FitColumns(ReadOnlySpan<float> values, int features)
    {
        var min = Enumerable.Repeat(double.PositiveInfinity, features).ToArray();
        var max = Enumerable.Repeat(double.NegativeInfinity, features).ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            int c = i % features;
            min[c] = Math.Min(min[c], values[i]);
            max[c] = Math.Max(max[c], values[i]);
        }

        SetStatistics(min, max);
    }

    private protected override void WriteStatistics(JsonObject json)
    {
        json["rangeLow"] = RangeLow;
        json["rangeHigh"] = RangeHigh;
        json["min"] = ToJsonArray(_min);
        json["max"] = ToJsonArray(_max);
    }

    private protected override void ReadStatistics(JsonObject json)
    {
        RangeLow = JsonFields.Get<double>(json, "rangeLow", "scaler");
        RangeHigh = JsonFields.Get<double>(json, "rangeHigh", "scaler");
        var min = JsonFields.GetArray<double>(json, "min", "scaler");
        var max = JsonFields.GetArray<double>(json, "max", "scaler");
        if (!(RangeLow < RangeHigh) || min.Length != max.Length || min.Zip(max).Any(p => !(p.First <= p.Second)))
        {
            throw new FormatException("scaler: expected rangeLow < rangeHigh and equally long 'min' <= 'max'.");
        }

        SetStatistics(min, max);
    }

    private void SetStatistics(double[] min, double[] max)
    {
        _min = min;
        _max = max;
        var scale = new double[min.Length];
        var offset = new double[min.Length];
        for (int c = 0; c < min.Length; c++)
        {
            double range = max[c] - min[c];
            scale[c] = IsConstant(range, max[c]) ? 1.0 : (RangeHigh - RangeLow) / range;
            offset[c] = RangeLow - min[c] * scale[c];
        }

        SetAffine(scale, offset);
    }
}
