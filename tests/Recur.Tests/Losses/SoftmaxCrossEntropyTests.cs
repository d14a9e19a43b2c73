using Recur.Losses;
using Recur.Tensors;
using Recur.Tests.Reference;

namespace Recur.Tests.Losses;

/// <summary>The loss and its gradient against a naive double computation and finite differences.</summary>
public class SoftmaxCrossEntropyTests
{
    [Fact]
    public void Loss_and_gradient_match_a_naive_double_computation()
    {
        const int rows = 6, classes = 5;
        var z = Tolerance.RandomNormal(new Rng(1), rows * classes, scale: 3);
        int[] targets = [0, 4, 2, 2, 1, 3];
        var grad = new Tensor(rows, classes);

        float loss = new SoftmaxCrossEntropy().Compute(Tensor.FromValues(z, rows, classes), targets, grad);

        var zd = Tolerance.ToDouble(z);
        Assert.Equal(NaiveLoss(zd, targets, classes, -100), loss, 1e-5);
        var expected = new double[zd.Length];
        for (int k = 0; k < zd.Length; k++)
        {
            double v = zd[k];
            zd[k] = v + 1e-5;
            double plus = NaiveLoss(zd, targets, classes, -100);
            zd[k] = v - 1e-5;
            double minus = NaiveLoss(zd, targets, classes, -100);
            zd[k] = v;
            expected[k] = (plus - minus) / 2e-5;
        }

        Tolerance.AssertClose(expected, grad.Span, 1e-5, "dlogits");
    }

    [Fact]
    public void Ignored_rows_do_not_count_and_get_zero_gradient()
    {
        var z = Tolerance.RandomNormal(new Rng(2), 4 * 3);
        var logits = Tensor.FromValues(z, 2, 2, 3); // (T, B, V): any leading axes
        int[] targets = [1, -1, 2, -1];
        var grad = new Tensor(2, 2, 3);
        grad.Span.Fill(9f); // overwritten, not added to

        float loss = new SoftmaxCrossEntropy(ignoreIndex: -1).Compute(logits, targets, grad);

        Assert.Equal(NaiveLoss(Tolerance.ToDouble(z), targets, 3, -1), loss, 1e-6);
        Assert.Equal(new float[3], grad.Span.Slice(3, 3).ToArray());
        Assert.Equal(new float[3], grad.Span.Slice(9, 3).ToArray());
        Assert.Equal(0.0, grad.Span.Slice(0, 3).ToArray().Sum(), 1e-6); // each counted row sums to zero
        Assert.Equal(0f, new SoftmaxCrossEntropy().Compute(logits, [-100, -100, -100, -100]));
    }

    [Fact]
    public void Huge_logits_do_not_overflow()
    {
        var logits = Tensor.FromValues([1000f, 0f, -1000f, 88f, 89f, 90f], 2, 3);
        var grad = new Tensor(2, 3);

        float loss = new SoftmaxCrossEntropy().Compute(logits, [0, 0], grad);

        double second = Math.Log(Math.Exp(-2) + Math.Exp(-1) + 1) + 2; // row 2 shifted by its max 90
        Assert.Equal(second / 2, loss, 1e-5);
        Assert.All(grad.Span.ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Without_a_gradient_tensor_only_the_loss_is_computed()
    {
        var logits = Tensor.FromValues([0f, 0f, 0f, 0f], 1, 4);
        Assert.Equal(Math.Log(4), new SoftmaxCrossEntropy().Compute(logits, [3]), 1e-6);
    }

    [Fact]
    public void Bad_inputs_name_the_argument_expected_and_actual()
    {
        var loss = new SoftmaxCrossEntropy();
        var logits = new Tensor(3, 4);

        var e = Assert.Throws<ArgumentException>(() => loss.Compute(logits, [0, 1, 4]));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains("[0, 4)", e.Message);
        Assert.Contains("got 4 at index 2", e.Message);

        e = Assert.Throws<ArgumentException>(() => loss.Compute(logits, [0, -3, 1]));
        Assert.Contains("got -3 at index 1", e.Message);

        e = Assert.Throws<ArgumentException>(() => loss.Compute(logits, [0, 1]));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains("expected 3 values", e.Message);
        Assert.Contains("got 2", e.Message);

        e = Assert.Throws<ArgumentException>(() => loss.Compute(logits, [0, 1, 2], new Tensor(4, 3)));
        Assert.Equal("logitsGradient", e.ParamName);
        Assert.Contains("(3, 4)", e.Message);
        Assert.Contains("(4, 3)", e.Message);

        logits[1, 1] = float.PositiveInfinity;
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => loss.Compute(logits, [0, 1, 2])).ParamName);
    }

    /// <summary>Mean cross-entropy of rows of z with ignored targets skipped, in double.</summary>
    internal static double NaiveLoss(double[] z, int[] targets, int classes, int ignore)
    {
        double total = 0;
        int counted = 0;
        for (int n = 0; n < targets.Length; n++)
        {
            if (targets[n] == ignore)
            {
                continue;
            }

            double sum = 0;
            for (int v = 0; v < classes; v++)
            {
                sum += Math.Exp(z[n * classes + v]);
            }

            total += Math.Log(sum) - z[n * classes + targets[n]];
            counted++;
        }

        return total / counted;
    }
}
