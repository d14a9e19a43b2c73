using System.Text.Json.Nodes;
using Recur.Tensors;

namespace Recur.Data;

/// <summary>
/// A per-feature affine map y = x·scale[c] + offset[c] on the last axis (features) of a tensor (…, F), fitted on
/// training data only (fitting on all data leaks the test set's range into training). Statistics are kept in double.
/// A constant column gets scale 1, never a division by zero.
/// </summary>
public abstract class FeatureScaler
{
    private double[] _scale = [];
    private double[] _offset = [];

    /// <summary>F, the number of features the scaler was fitted on (0 before <see cref="Fit"/>).</summary>
    public int FeatureCount => _scale.Length;

    /// <summary>Whether <see cref="Fit"/> has run (or the scaler was loaded from JSON).</summary>
    public bool IsFitted => _scale.Length > 0;

    /// <summary>Learns the per-feature statistics of <paramref name="data"/> (…, F); every leading index is a sample.</summary>
    /// <exception cref="ArgumentException">The data is empty, a scalar, or holds NaN or infinity.</exception>
    public void Fit(Tensor data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Rank == 0 || data.Length == 0)
        {
            throw new ArgumentException($"data: expected (…, F) with at least one sample, got {data.ShapeText}.", nameof(data));
        }

        Check.Finite(data, nameof(data));
        FitColumns(data.Span, data.Dim(-1));
    }

    /// <summary>The scaled copy of <paramref name="data"/> (…, F).</summary>
    public Tensor Transform(Tensor data) => Apply(data, AllColumns(data), inverse: false);

    /// <summary>The unscaled copy of <paramref name="data"/> (…, F): the inverse of <see cref="Transform(Tensor)"/>.</summary>
    public Tensor InverseTransform(Tensor data) => Apply(data, AllColumns(data), inverse: true);

    /// <summary>
    /// Scales <paramref name="data"/> (…, C) whose C columns are the fitted features <paramref name="columns"/>
    /// (e.g. only the target column of a multivariate series).
    /// </summary>
    public Tensor Transform(Tensor data, ReadOnlySpan<int> columns) => Apply(data, columns, inverse: false);

    /// <summary>
    /// Unscales <paramref name="data"/> (…, C) whose C columns are the fitted features <paramref name="columns"/>:
    /// turns a model's forecast of the target column back into the original units.
    /// </summary>
    public Tensor InverseTransform(Tensor data, ReadOnlySpan<int> columns) => Apply(data, columns, inverse: true);

    /// <summary>The fitted scaler as JSON (read it back with <see cref="FromJson"/>).</summary>
    public string ToJson()
    {
        RequireFitted();
        var json = new JsonObject { ["type"] = TypeName };
        WriteStatistics(json);
        return json.ToJsonString();
    }

    /// <summary>Reads a scaler written by <see cref="ToJson"/>, of whichever kind it was.</summary>
    /// <exception cref="FormatException">The JSON is not a fitted scaler.</exception>
    public static FeatureScaler FromJson(string json)
    {
        var obj = JsonFields.ParseObject(json, "scaler");
        string type = JsonFields.Get<string>(obj, "type", "scaler");
        FeatureScaler scaler = type switch
        {
            StandardScaler.Type => new StandardScaler(),
            MinMaxScaler.Type => new MinMaxScaler(),
            _ => throw new FormatException($"scaler: unknown type '{type}'; expected '{StandardScaler.Type}' or '{MinMaxScaler.Type}'."),
        };
        scaler.ReadStatistics(obj);
        if (!scaler.IsFitted)
        {
            throw new FormatException("scaler: no features.");
        }

        return scaler;
    }

    private protected abstract string TypeName { get; }

    /// <summary>Computes the statistics of <paramref name="values"/> (rows of F) and calls <see cref="SetAffine"/>.</summary>
    private protected abstract void FitColumns(ReadOnlySpan<float> values, int features);

    private protected abstract void WriteStatistics(JsonObject json);

    private protected abstract void ReadStatistics(JsonObject json);

    private protected void SetAffine(double[] scale, double[] offset)
    {
        _scale = scale;
        _offset = offset;
    }

    /// <summary>Whether a spread (standard deviation or range) is too small to divide by, relative to the values' size.</summary>
    private protected static bool IsConstant(double spread, double magnitude) => spread <= 1e-12 * Math.Max(1.0, Math.Abs(magnitude));

    private protected static JsonArray ToJsonArray(double[] values) =>
        new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());

    private Tensor Apply(Tensor data, ReadOnlySpan<int> columns, bool inverse)
    {
        ArgumentNullException.ThrowIfNull(data);
        RequireFitted();
        if (data.Rank == 0 || data.Dim(-1) != columns.Length)
        {
            throw new ArgumentException(
                $"data: expected (…, {columns.Length}) for {columns.Length} columns, got {data.ShapeText}.", nameof(data));
        }

        foreach (int c in columns)
        {
            if ((uint)c >= (uint)FeatureCount)
            {
                throw new ArgumentOutOfRangeException(nameof(columns), $"Column {c} is outside 0 .. {FeatureCount - 1} of the fitted features.");
            }
        }

        var result = data.Clone();
        var y = result.Span;
        int width = columns.Length;
        for (int i = 0; i < y.Length; i++)
        {
            int c = columns[i % width];
            y[i] = inverse ? (float)((y[i] - _offset[c]) / _scale[c]) : (float)(y[i] * _scale[c] + _offset[c]);
        }

        return result;
    }

    private int[] AllColumns(Tensor data)
    {
        ArgumentNullException.ThrowIfNull(data);
        RequireFitted();
        if (data.Rank == 0 || data.Dim(-1) != FeatureCount)
        {
            throw new ArgumentException($"data: expected (…, {FeatureCount}) like the fitted data, got {data.ShapeText}.", nameof(data));
        }

        return Enumerable.Range(0, FeatureCount).ToArray();
    }

    private void RequireFitted()
    {
        if (!IsFitted)
        {
            throw new InvalidOperationException($"The {GetType().Name} is not fitted; call Fit on the training data first.");
        }
    }
}
