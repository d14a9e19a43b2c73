using Recur.Layers;
using Recur.Models;
using Recur.Tensors;
using Recur.Tests.Reference;

namespace Recur.Tests.Models;

/// <summary>Padding ids become sequence lengths that the layers downstream honour.</summary>
public class MaskingTests
{
    [Fact]
    public void A_post_padded_batch_through_embedding_and_lstm_equals_each_sequence_alone()
    {
        var input = new Input(-1);
        var lstm = new Lstm(4, 5, seed: 2) { ReturnState = true };
        var outs = lstm.CallMany(new Embedding(10, 4, paddingIndex: 0, seed: 1).Call(input.Symbol));
        var pooled = new GlobalAveragePooling1D().Call(outs[0]);
        var model = new Model([input.Symbol], [outs[0], outs[1], pooled]);

        float[][] sequences = [[3, 1, 4, 1, 5], [9, 2, 6], [5]];
        int steps = 5, batch = sequences.Length;
        var ids = new Tensor(batch, steps);
        for (int b = 0; b < batch; b++)
        {
            sequences[b].AsSpan().CopyTo(ids.Span.Slice(b * steps));
        }

        var result = model.Forward(new LayerValue(ids));
        var (seq, hn, mean) = (result[0].Data.Clone(), result[1].Data.Clone(), result[2].Data.Clone());
        Assert.Equal(new[] { 5, 3, 1 }, result[0].Lengths);

        for (int b = 0; b < batch; b++)
        {
            int len = sequences[b].Length;
            var alone = model.Forward(new LayerValue(Tensor.FromValues(sequences[b], 1, len)));
            Tolerance.AssertClose(alone[0].Data.Span, seq.Span.Slice(b * steps * 5, len * 5), 1e-6, $"output of sequence {b}");
            Assert.All(seq.Span.Slice((b * steps + len) * 5, (steps - len) * 5).ToArray(), v => Assert.Equal(0f, v));
            Tolerance.AssertClose(alone[1].Data.Span, hn.Span.Slice(b * 5, 5), 1e-6, $"h_n of sequence {b}");
            Tolerance.AssertClose(alone[2].Data.Span, mean.Span.Slice(b * 5, 5), 1e-6, $"mean of sequence {b}");
        }
    }
}
