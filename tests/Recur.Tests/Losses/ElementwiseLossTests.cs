using System.Text.Json.Nodes;
using Recur.Losses;
using Recur.Models;
using Recur.Tensors;
using Recur.Tests.Reference;

namespace Recur.Tests.Losses;

/// <summary>BCE with logits, MSE and MAE against double references, with padding and bad targets.</summary>
public class ElementwiseLossTests
{
    public static TheoryData<string> Names => ["binary_cross_entropy", "mse", "mae"];

    [Theory]
    [MemberData(nameof(Names))]
    public void Loss_and_gradient_match_finite_differences_of_a_double_reference(string name)
    {
        var (z, y) = Batch(name, new Rng(7), 3, 4);
        var yd = Tolerance.ToDouble(y.Span);
        var loss = LossRegistry.Create(name);

        LossTestKit.AssertGradientMatchesFiniteDifferences(loss, new LayerValue(z), y, x => Enumerable.Range(0, x.Length).Average(i => Term(name, x[i], yd[i])));
        Assert.Equal(12, loss.LastCount);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void A_padded_batch_gives_the_loss_and_gradient_of_its_unpadded_rows(string name)
    {
        int[] lengths = [2, 5, 1];
        var (z, y) = Batch(name, new Rng(8), 3, 5, 2);
        LossTestKit.FillPadding(z, lengths, 1e3f);
        LossTestKit.FillPadding(y, lengths, 0.5f);

        LossTestKit.AssertPaddingIsIgnored(LossRegistry.Create(name), z, y, lengths, [2]);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Long_rows_take_the_eight_lane_path_with_the_same_results(string name)
    {
        // 3 x 37 values: whole groups of eight and a tail, against the double reference term by term.
        var (z, y) = Batch(name, new Rng(9), 3, 37);
        y.Span[^1] = name == "binary_cross_entropy" ? 1f : 2.5f;
        var loss = LossRegistry.Create(name);
        var gradient = new Tensor(3, 37);
        double value = loss.Compute(new LayerValue(z), y, gradient);

        double expected = 0;
        for (int i = 0; i < z.Length; i++)
        {
            expected += Term(name, z.Span[i], y.Span[i]);
        }

        Assert.Equal(expected / z.Length, value, 5);
        for (int i = 0; i < z.Length; i++)
        {
            double h = 1e-4, numeric = (Term(name, z.Span[i] + h, y.Span[i]) - Term(name, z.Span[i] - h, y.Span[i])) / (2 * h) / z.Length;
            Assert.True(Math.Abs(numeric - gradient.Span[i]) <= 1e-4 * Math.Max(1, Math.Abs(numeric)), $"gradient[{i}] {gradient.Span[i]} vs {numeric}");
        }

        y.Span[20] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => loss.Compute(new LayerValue(z), y, gradient));
        Assert.Contains("flat index 20", e.Message);
    }

    [Fact]
    public void Binary_cross_entropy_is_stable_for_huge_logits()
    {
        var grad = new Tensor(4);
        double loss = new BinaryCrossEntropyWithLogits().Compute(new LayerValue(Tensor.FromValues([1000f, -1000f, 1000f, -1000f], 4)), Tensor.FromValues([1f, 0f, 0f, 1f], 4), grad);

        Assert.Equal(500.0, loss, 1e-9); // two right with loss 0, two wrong with loss 1000 each
        Assert.Equal([0f, 0f, 0.25f, -0.25f], grad.Span.ToArray());
    }

    [Fact]
    public void Mean_absolute_error_has_zero_gradient_where_prediction_equals_target()
    {
        var grad = new Tensor(3);
        new MeanAbsoluteError().Compute(new LayerValue(Tensor.FromValues([1f, 2f, 3f], 3)), Tensor.FromValues([1f, 0f, 4f], 3), grad);
        Assert.Equal([0f, 1f / 3, -1f / 3], grad.Span.ToArray());
    }

    [Fact]
    public void Bad_shapes_and_targets_are_refused()
    {
        var x = new Tensor(2, 3);
        var e = Assert.Throws<ArgumentException>(() => new MeanSquaredError().Compute(new LayerValue(x), new Tensor(3, 2), null));
        Assert.Equal("target", e.ParamName);
        Assert.Contains("expected shape (2, 3)", e.Message);
        Assert.Contains("got (3, 2)", e.Message);

        e = Assert.Throws<ArgumentException>(() => new BinaryCrossEntropyWithLogits().Compute(new LayerValue(x), Tensor.FromValues([0f, 1f, 0f, 1.5f, 0f, 0f], 2, 3), null));
        Assert.Contains("[0, 1], got 1.5 at flat index 3", e.Message);

        e = Assert.Throws<ArgumentException>(() => new MeanAbsoluteError().Compute(new LayerValue(x), new Tensor(2, 3), new Tensor(6)));
        Assert.Equal("gradient", e.ParamName);

        x[0, 0] = float.NaN;
        Assert.Equal("prediction", Assert.Throws<ArgumentException>(() => new MeanSquaredError().Compute(new LayerValue(x), new Tensor(2, 3), null)).ParamName);
    }

    [Fact]
    public void The_registry_rebuilds_each_loss_from_its_name_and_config()
    {
        foreach (string name in LossRegistry.Names)
        {
            var loss = LossRegistry.Create(name);
            Assert.Equal(name, loss.Name);
            Assert.Equal(loss.GetType(), LossRegistry.Create(loss.Name, loss.GetConfig()).GetType());
        }

        var ce = (CrossEntropyLoss)LossRegistry.Create("cross_entropy", JsonNode.Parse("""{"ignore_index": 0}""")!.AsObject());
        Assert.Equal(0, ce.IgnoreIndex);
        Assert.Contains("mse", Assert.Throws<ArgumentException>(() => LossRegistry.Create("l2")).Message);
        Assert.Contains("ignore_index", Assert.Throws<ArgumentException>(() => LossRegistry.Create("cross_entropy", new JsonObject { ["ignore_index"] = "x" })).Message);
    }

    private static (Tensor Prediction, Tensor Target) Batch(string name, Rng rng, params int[] shape)
    {
        var z = new Tensor(shape);
        var y = new Tensor(shape);
        for (int i = 0; i < z.Length; i++)
        {
            z.Span[i] = (float)(rng.NextGaussian() * 2);
            y.Span[i] = name == "binary_cross_entropy" ? (float)rng.NextDouble() : (float)rng.NextGaussian();
        }

        return (z, y);
    }

    private static double Term(string name, double x, double y) => name switch
    {
        "binary_cross_entropy" => -(y * Math.Log(1 / (1 + Math.Exp(-x))) + (1 - y) * Math.Log(1 - 1 / (1 + Math.Exp(-x)))),
        "mse" => (x - y) * (x - y),
        _ => Math.Abs(x - y),
    };
}
