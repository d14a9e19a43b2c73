using Recur.Losses;
using Recur.Models;
using Recur.Tensors;
using Recur.Tests.Reference;

namespace Recur.Tests.Losses;

public class CrossEntropyLossTests
{
    [Fact]
    public void Sequence_loss_and_gradient_match_finite_differences_of_a_double_reference()
    {
        const int batch = 2, steps = 3, classes = 4;
        var z = Tensor.FromValues(Tolerance.RandomNormal(new Rng(3), batch * steps * classes, 2), batch, steps, classes);
        var target = Tensor.FromValues([0f, 3f, 1f, 2f, -100f, 3f], batch, steps);
        int[] rows = [0, 3, 1, 2, -100, 3];

        var loss = new CrossEntropyLoss();
        LossTestKit.AssertGradientMatchesFiniteDifferences(loss, new LayerValue(z), target, x => Reference(x, rows, classes, -100));
        Assert.Equal(5, loss.LastCount);
    }

    [Fact]
    public void A_padded_batch_gives_the_loss_and_gradient_of_its_unpadded_rows()
    {
        const int batch = 3, steps = 4, classes = 5;
        int[] lengths = [4, 1, 2];
        var z = Tensor.FromValues(Tolerance.RandomNormal(new Rng(4), batch * steps * classes, 2), batch, steps, classes);
        var target = new Tensor(batch, steps);
        var rng = new Rng(5);
        for (int i = 0; i < target.Length; i++)
        {
            target.Span[i] = rng.NextInt(classes);
        }

        LossTestKit.FillPadding(z, lengths, 1e4f);
        LossTestKit.FillPadding(target, lengths, 99f); // out of range: must not even be checked
        LossTestKit.AssertPaddingIsIgnored(new CrossEntropyLoss(), z, target, lengths, []);
    }

    [Fact]
    public void Ignored_targets_do_not_count_and_get_zero_gradient()
    {
        var z = Tensor.FromValues(Tolerance.RandomNormal(new Rng(6), 3 * 2), 3, 2);
        var grad = new Tensor(3, 2);
        var loss = new CrossEntropyLoss(ignoreIndex: 1);

        double value = loss.Compute(new LayerValue(z), Tensor.FromValues([0f, 1f, 0f], 3), grad);

        Assert.Equal(2, loss.LastCount);
        Assert.Equal(Reference(Tolerance.ToDouble(z.Span), [0, 1, 0], 2, ignore: 1), value, 1e-6);
        Assert.Equal([0f, 0f], grad.Span.Slice(2, 2).ToArray());
    }

    [Fact]
    public void Bad_shapes_and_targets_are_refused_with_the_position()
    {
        var loss = new CrossEntropyLoss();
        var z = new Tensor(2, 3, 4);

        var e = Assert.Throws<ArgumentException>(() => loss.Compute(new LayerValue(z), Tensor.FromValues([0f, 1f, 2f, 3f, 4f, 0f], 2, 3), null));
        Assert.Equal("target", e.ParamName);
        Assert.Contains("got 4 at (1, 1)", e.Message);

        e = Assert.Throws<ArgumentException>(() => loss.Compute(new LayerValue(z), Tensor.FromValues([0f, 1.5f, 2f, 3f, 0f, 0f], 2, 3), null));
        Assert.Contains("got 1.5 at (0, 1)", e.Message);

        e = Assert.Throws<ArgumentException>(() => loss.Compute(new LayerValue(z), new Tensor(3, 2), null));
        Assert.Equal("target", e.ParamName);
        Assert.Contains("(2, 3)", e.Message);
        Assert.Contains("(3, 2)", e.Message);

        e = Assert.Throws<ArgumentException>(() => loss.Compute(new LayerValue(new Tensor(4)), new Tensor(4), null));
        Assert.Equal("prediction", e.ParamName);

        e = Assert.Throws<ArgumentException>(() => loss.Compute(new LayerValue(z, [3, 4]), new Tensor(2, 3), null));
        Assert.Contains("lengths in [0, 3], got 4 at index 1", e.Message);

        e = Assert.Throws<ArgumentException>(() => loss.Compute(new LayerValue(new Tensor(2, 4), [1, 1]), new Tensor(2), null));
        Assert.Contains("(B, T, ...)", e.Message);
    }

    private static double Reference(double[] z, int[] targets, int classes, int ignore) =>
        SoftmaxCrossEntropyTests.NaiveLoss(z, targets, classes, ignore);
}
