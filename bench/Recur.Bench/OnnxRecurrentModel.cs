using Recur.Layers;
using Proto = Recur.Bench.OnnxGemmModel.Proto;

namespace Recur.Bench;

/// <summary>
/// Builds, in memory, the ONNX model of one LSTM, GRU or RNN node (opset 14) holding the weights of a one-layer,
/// one-direction Recur layer, so ONNX Runtime and Recur compute the same function: X (T, B, I) -> Y (T, 1, B, H).
/// </summary>
/// <remarks>
/// ONNX orders the gate blocks differently from PyTorch (LSTM i|o|f|c against i|f|g|o, GRU z|r|h against r|z|n),
/// stacks the two biases as B = [W_b, R_b], and needs linear_before_reset=1 for PyTorch's GRU, where r multiplies
/// W_hn h + b_hn.
/// </remarks>
internal static class OnnxRecurrentModel
{
    private const int FloatType = 1; // TensorProto.DataType.FLOAT
    private const int IntAttribute = 2; // AttributeProto.AttributeType.INT

    public static byte[] Build(RecurrentLayer layer, int steps, int batch)
    {
        if (layer.NumLayers != 1 || layer.Bidirectional || layer.BatchFirst || !layer.Bias)
        {
            throw new ArgumentException("Only one-layer, one-direction, time-major layers with biases are exported.", nameof(layer));
        }

        (string op, int[] order) = layer switch
        {
            Lstm => ("LSTM", new[] { 0, 3, 1, 2 }),
            Gru => ("GRU", new[] { 1, 0, 2 }),
            Rnn { Nonlinearity: RnnNonlinearity.Tanh } => ("RNN", new[] { 0 }),
            _ => throw new ArgumentException($"No ONNX export for {layer}.", nameof(layer)),
        };

        int h = layer.HiddenSize, i = layer.InputSize, g = order.Length * h;
        float[] w = Reorder(layer.GetParameter("weight_ih_l0").Value.Span, order, h * i);
        float[] r = Reorder(layer.GetParameter("weight_hh_l0").Value.Span, order, h * h);
        float[] b = [.. Reorder(layer.GetParameter("bias_ih_l0").Value.Span, order, h), .. Reorder(layer.GetParameter("bias_hh_l0").Value.Span, order, h)];

        var node = new Proto()
            .String(1, "X").String(1, "W").String(1, "R").String(1, "B").String(2, "Y").String(3, "rnn").String(4, op)
            .Message(5, IntAttr("hidden_size", h));
        if (layer is Gru)
        {
            node.Message(5, IntAttr("linear_before_reset", 1));
        }

        var graph = new Proto().Message(1, node).String(2, "recur_bench_" + op.ToLowerInvariant())
            .Message(5, Initializer("W", [1, g, i], w))
            .Message(5, Initializer("R", [1, g, h], r))
            .Message(5, Initializer("B", [1, 2 * g], b))
            .Message(11, OnnxGemmModel.ValueInfo("X", [steps, batch, i]))
            .Message(12, OnnxGemmModel.ValueInfo("Y", [steps, 1, batch, h]));
        var opset = new Proto().String(1, "").Varint(2, 14);
        return new Proto().Varint(1, 7).Message(7, graph).Message(8, opset).ToArray();
    }

    /// <summary>Permutes the gate blocks (each <paramref name="block"/> floats) of a PyTorch tensor into ONNX order.</summary>
    private static float[] Reorder(ReadOnlySpan<float> pytorch, int[] order, int block)
    {
        float[] onnx = new float[pytorch.Length];
        for (int k = 0; k < order.Length; k++)
        {
            pytorch.Slice(order[k] * block, block).CopyTo(onnx.AsSpan(k * block, block));
        }

        return onnx;
    }

    private static Proto Initializer(string name, long[] shape, float[] values)
    {
        var tensor = new Proto();
        foreach (long d in shape)
        {
            tensor.Varint(1, (ulong)d);
        }

        byte[] raw = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, raw, 0, raw.Length);
        return tensor.Varint(2, FloatType).String(8, name).Bytes(9, raw);
    }

    private static Proto IntAttr(string name, long value) => new Proto().String(1, name).Varint(3, (ulong)value).Varint(20, IntAttribute);
}
