using Recur.Metrics;
using Recur.Models;
using Recur.Tensors;

namespace Recur.Tests.Metrics;

public class AccuracyTests
{
    [Fact]
    public void Multi_class_accuracy_is_the_argmax_hit_rate_over_all_batches()
    {
        var accuracy = new Accuracy();
        Assert.True(double.IsNaN(accuracy.Result));

        // argmax rows: 2, 0, 1 against targets 2, 1, 1: 2 of 3
        accuracy.Update(new LayerValue(Tensor.FromValues([0f, 1f, 5f, 3f, 2f, 1f, 0f, 9f, 1f], 3, 3)), Tensor.FromValues([2f, 1f, 1f], 3));
        Assert.Equal(2.0 / 3, accuracy.Result, 12);

        // one more batch of one wrong row: 2 of 4
        accuracy.Update(new LayerValue(Tensor.FromValues([1f, 0f, 0f], 1, 3)), Tensor.FromValues([2f], 1));
        Assert.Equal(0.5, accuracy.Result, 12);

        accuracy.Reset();
        Assert.True(double.IsNaN(accuracy.Result));
    }

    [Fact]
    public void Sequence_accuracy_skips_padding_and_ignored_targets()
    {
        var accuracy = new Accuracy(ignoreIndex: -1);
        // (B=2, T=3, V=2); argmax per step: [1, 0, 1], [0, 0, 1]
        var z = Tensor.FromValues([0f, 1f, 1f, 0f, 0f, 1f, /* */ 1f, 0f, 1f, 0f, 0f, 1f], 2, 3, 2);
        var y = Tensor.FromValues([1f, 1f, -1f, 0f, 7f, 7f], 2, 3); // padding holds out-of-range garbage

        accuracy.Update(new LayerValue(z, [3, 1]), y);

        Assert.Equal(2.0 / 3, accuracy.Result, 12); // counted: (0,0) right, (0,1) wrong, (1,0) right
    }

    [Fact]
    public void A_single_logit_is_thresholded_at_zero_against_binary_targets()
    {
        var accuracy = new Accuracy();
        accuracy.Update(new LayerValue(Tensor.FromValues([2f, -1f, 0f, 0.5f], 4, 1)), Tensor.FromValues([1f, 0f, 1f, 0f], 4));
        Assert.Equal(0.5, accuracy.Result, 12); // 0 is not > 0, so row 2 predicts 0

        accuracy.Update(new LayerValue(Tensor.FromValues([-3f, 3f], 2)), Tensor.FromValues([0f, 1f], 2));
        Assert.Equal(4.0 / 6, accuracy.Result, 12);

        var e = Assert.Throws<ArgumentException>(() => accuracy.Update(new LayerValue(new Tensor(2)), Tensor.FromValues([0f, 0.5f], 2)));
        Assert.Equal("target", e.ParamName);
        Assert.Contains("0 or 1", e.Message);
    }
}
