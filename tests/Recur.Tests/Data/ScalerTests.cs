using Recur.Data;
using Recur.Tensors;

namespace Recur.Tests.Data;

public sealed class ScalerTests
{
    public static TheoryData<string> Kinds => new() { "standard", "minmax" };

    private static FeatureScaler Make(string kind) => kind == "standard" ? new StandardScaler() : new MinMaxScaler(-1, 1);

    /// <summary>co2 as (T, 3): year, month, ppm — three very different scales.</summary>
    private static Tensor Co2() => CsvReader.Read(DataTestFiles.Co2).Values;

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Inverse_of_transform_is_identity(string kind)
    {
        var data = Co2();
        var scaler = Make(kind);
        scaler.Fit(data);

        var back = scaler.InverseTransform(scaler.Transform(data));

        for (int i = 0; i < data.Length; i++)
        {
            Assert.True(Math.Abs(back.Span[i] - data.Span[i]) <= 1e-6 * Math.Max(1, Math.Abs(data.Span[i])),
                $"element {i}: {back.Span[i]} vs {data.Span[i]}");
        }
    }

    [Fact]
    public void Standard_scaler_gives_zero_mean_unit_variance_per_column()
    {
        var scaler = new StandardScaler();
        scaler.Fit(Co2());
        var y = scaler.Transform(Co2());

        for (int c = 0; c < 3; c++)
        {
            var column = Enumerable.Range(0, y.Dim(0)).Select(r => (double)y[r, c]).ToArray();
            double mean = column.Average();
            double variance = column.Select(v => (v - mean) * (v - mean)).Average();
            Assert.Equal(0, mean, 1e-5);
            Assert.Equal(1, variance, 1e-5);
        }
    }

    [Fact]
    public void Min_max_scaler_maps_the_training_range_onto_the_feature_range()
    {
        var scaler = new MinMaxScaler(-1, 1);
        scaler.Fit(Tensor.FromValues([2, 10, 4, 20, 6, 30], 3, 2));

        var y = scaler.Transform(Tensor.FromValues([2, 10, 6, 30, 4, 40], 3, 2));

        Assert.Equal([-1f, -1, 1, 1, 0, 2], y.Span.ToArray()); // 40 lies outside the training range: not clipped
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Constant_column_does_not_divide_by_zero(string kind)
    {
        var data = Tensor.FromValues([5, 1, 5, 2, 5, 3], 3, 2);
        var scaler = Make(kind);
        scaler.Fit(data);

        var y = scaler.Transform(data);
        var back = scaler.InverseTransform(y);

        Assert.All(y.Span.ToArray(), v => Assert.True(float.IsFinite(v)));
        float expected = kind == "standard" ? 0f : -1f;
        Assert.Equal([expected, expected, expected], [y[0, 0], y[1, 0], y[2, 0]]);
        for (int i = 0; i < data.Length; i++)
        {
            Assert.Equal(data.Span[i], back.Span[i], 1e-6f);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Subset_inverse_unscales_only_the_target_column(string kind)
    {
        var data = Co2();
        var scaler = Make(kind);
        scaler.Fit(data);
        var scaled = scaler.Transform(data);
        var ppm = new Tensor(data.Dim(0), 1);
        for (int r = 0; r < data.Dim(0); r++)
        {
            ppm[r, 0] = scaled[r, 2];
        }

        var back = scaler.InverseTransform(ppm, [2]);

        for (int r = 0; r < data.Dim(0); r++)
        {
            Assert.Equal(data[r, 2], back[r, 0], 1e-3f);
        }

        Assert.Equal(ppm.Span.ToArray(), scaler.Transform(back, [2]).Span.ToArray());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Json_round_trip_transforms_identically(string kind)
    {
        var scaler = Make(kind);
        scaler.Fit(Co2());

        var back = FeatureScaler.FromJson(scaler.ToJson());

        Assert.IsType(scaler.GetType(), back);
        Assert.Equal(scaler.Transform(Co2()).Span.ToArray(), back.Transform(Co2()).Span.ToArray());
    }

    [Fact]
    public void Typed_from_json_reads_its_own_kind_only()
    {
        var standard = new StandardScaler();
        standard.Fit(Co2());

        Assert.Equal(standard.Mean, StandardScaler.FromJson(standard.ToJson()).Mean);
        Assert.Throws<FormatException>(() => MinMaxScaler.FromJson(standard.ToJson()));
        Assert.Throws<FormatException>(() => FeatureScaler.FromJson("{\"type\":\"standard\",\"mean\":[1,2],\"std\":[1]}"));
    }

    [Fact]
    public void Fit_on_train_only_leaves_test_values_outside_the_unit_range()
    {
        // AirPassengers grows: a scaler fitted on the first years sees later values above its maximum.
        var split = Splits.Chronological(CsvReader.Read(DataTestFiles.AirPassengers, ["passengers"]).Values, 0.7, 0.15);
        var scaler = new MinMaxScaler();
        scaler.Fit(split.Train);

        Assert.True(scaler.Transform(split.Test).Span.ToArray().Max() > 1f);
    }

    [Fact]
    public void Misuse_is_rejected_with_clear_errors()
    {
        var scaler = new StandardScaler();

        Assert.Throws<InvalidOperationException>(() => scaler.Transform(new Tensor(2, 3)));
        Assert.Throws<InvalidOperationException>(() => scaler.ToJson());
        Assert.Throws<ArgumentException>(() => scaler.Fit(Tensor.FromValues([1, float.NaN], 2, 1)));
        scaler.Fit(new Tensor(4, 3));
        Assert.Throws<ArgumentException>(() => scaler.Transform(new Tensor(2, 2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => scaler.InverseTransform(new Tensor(2, 1), [3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MinMaxScaler(1, 1));
    }
}
