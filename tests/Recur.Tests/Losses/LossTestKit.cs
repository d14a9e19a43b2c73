using Recur.Losses;
using Recur.Models;
using Recur.Tensors;
using Recur.Tests.Reference;

namespace Recur.Tests.Losses;

/// <summary>Finite-difference and masking checks shared by the loss tests.</summary>
internal static class LossTestKit
{
    /// <summary>Central differences of <paramref name="reference"/> (double) at x, against the loss's float gradient.</summary>
    public static void AssertGradientMatchesFiniteDifferences(
        Loss loss, LayerValue prediction, Tensor target, Func<double[], double> reference, double tolerance = 1e-5)
    {
        var grad = new Tensor([.. prediction.Data.Shape]);
        double value = loss.Compute(prediction, target, grad);
        var x = Tolerance.ToDouble(prediction.Data.Span);
        Assert.Equal(reference(x), value, 1e-6);
        var expected = new double[x.Length];
        for (int k = 0; k < x.Length; k++)
        {
            double v = x[k];
            x[k] = v + 1e-5;
            double plus = reference(x);
            x[k] = v - 1e-5;
            double minus = reference(x);
            x[k] = v;
            expected[k] = (plus - minus) / 2e-5;
        }

        Tolerance.AssertClose(expected, grad.Span, tolerance, $"{loss.Name} gradient");
    }

    /// <summary>
    /// A padded (B, T, ...) batch with lengths gives the loss and gradient (on valid steps) of the unpadded rows
    /// concatenated, and zero gradient on padding; padding holds garbage that must not matter.
    /// </summary>
    public static void AssertPaddingIsIgnored(Loss loss, Tensor prediction, Tensor target, int[] lengths, int[] targetBlockShape)
    {
        int batch = prediction.Dim(0), steps = prediction.Dim(1);
        int block = prediction.Length / (batch * steps), targetBlock = target.Length / (batch * steps);
        int valid = lengths.Sum();
        var packedPrediction = new List<float>();
        var packedTarget = new List<float>();
        for (int b = 0; b < batch; b++)
        {
            packedPrediction.AddRange(prediction.Span.Slice(b * steps * block, lengths[b] * block).ToArray());
            packedTarget.AddRange(target.Span.Slice(b * steps * targetBlock, lengths[b] * targetBlock).ToArray());
        }

        int[] predictionShape = [valid, .. prediction.Shape[2..]];
        var unpadded = Tensor.FromValues(packedPrediction.ToArray(), predictionShape);
        var unpaddedGrad = new Tensor(predictionShape);
        double expected = loss.Compute(new LayerValue(unpadded), Tensor.FromValues(packedTarget.ToArray(), [valid, .. targetBlockShape]), unpaddedGrad);
        int expectedCount = loss.LastCount;

        var grad = new Tensor([.. prediction.Shape]);
        grad.Span.Fill(7f);
        double actual = loss.Compute(new LayerValue(prediction, lengths), target, grad);

        Assert.Equal(expected, actual, 1e-6);
        Assert.Equal(expectedCount, loss.LastCount);
        int offset = 0;
        for (int b = 0; b < batch; b++)
        {
            var row = grad.Span.Slice(b * steps * block, steps * block);
            Tolerance.AssertClose(unpaddedGrad.Span.Slice(offset, lengths[b] * block), row[..(lengths[b] * block)], 1e-6, $"gradient of sequence {b}");
            Assert.All(row[(lengths[b] * block)..].ToArray(), g => Assert.Equal(0f, g));
            offset += lengths[b] * block;
        }
    }

    /// <summary>Garbage (huge but finite) in the padded steps, so that counting them would show.</summary>
    public static void FillPadding(Tensor tensor, int[] lengths, float value)
    {
        int batch = tensor.Dim(0), steps = tensor.Dim(1), block = tensor.Length / (batch * steps);
        for (int b = 0; b < batch; b++)
        {
            tensor.Span.Slice((b * steps + lengths[b]) * block, (steps - lengths[b]) * block).Fill(value);
        }
    }
}
