using System.Text;

namespace Recur.Bench;

/// <summary>
/// Builds, in memory, the ONNX model of one Gemm node: Y[m×n] = op(A)·op(B), with A an input and B an input or,
/// for the pre-packed case, a float initializer (ONNX Runtime then pre-packs it once, as we do). Written as raw
/// protobuf (field numbers from onnx.proto) so the bench needs no ONNX tooling.
/// </summary>
internal static class OnnxGemmModel
{
    private const int FloatType = 1; // TensorProto.DataType.FLOAT
    private const int IntAttribute = 2; // AttributeProto.AttributeType.INT

    /// <summary>The model bytes; <paramref name="bInitializer"/> holds the stored B (n×k when transB, else k×n) or is null to make B an input.</summary>
    public static byte[] Build(int m, int n, int k, bool transA, bool transB, float[]? bInitializer)
    {
        long[] aShape = transA ? [k, m] : [m, k];
        long[] bShape = transB ? [n, k] : [k, n];
        var node = new Proto()
            .String(1, "A").String(1, "B").String(2, "Y").String(3, "gemm").String(4, "Gemm")
            .Message(5, IntAttr("transA", transA ? 1 : 0))
            .Message(5, IntAttr("transB", transB ? 1 : 0));
        var graph = new Proto().Message(1, node).String(2, "recur_bench_gemm").Message(11, ValueInfo("A", aShape));
        if (bInitializer is null)
        {
            graph.Message(11, ValueInfo("B", bShape));
        }
        else
        {
            var tensor = new Proto();
            foreach (long d in bShape)
            {
                tensor.Varint(1, (ulong)d);
            }

            byte[] raw = new byte[bInitializer.Length * sizeof(float)];
            Buffer.BlockCopy(bInitializer, 0, raw, 0, raw.Length);
            graph.Message(5, tensor.Varint(2, FloatType).String(8, "B").Bytes(9, raw));
        }

        graph.Message(12, ValueInfo("Y", [m, n]));
        var opset = new Proto().String(1, "").Varint(2, 13);
        return new Proto().Varint(1, 7).Message(7, graph).Message(8, opset).ToArray();
    }

    private static Proto IntAttr(string name, long value) => new Proto().String(1, name).Varint(3, (ulong)value).Varint(20, IntAttribute);

    internal static Proto ValueInfo(string name, long[] shape)
    {
        var dims = new Proto();
        foreach (long d in shape)
        {
            dims.Message(1, new Proto().Varint(1, (ulong)d));
        }

        var tensorType = new Proto().Varint(1, FloatType).Message(2, dims);
        return new Proto().String(1, name).Message(2, new Proto().Message(1, tensorType));
    }

    /// <summary>A minimal protobuf writer: varint and length-delimited fields only.</summary>
    internal sealed class Proto
    {
        private readonly MemoryStream _bytes = new();

        public Proto Varint(int field, ulong value)
        {
            WriteVarint((ulong)field << 3);
            WriteVarint(value);
            return this;
        }

        public Proto Bytes(int field, byte[] value)
        {
            WriteVarint(((ulong)field << 3) | 2);
            WriteVarint((ulong)value.Length);
            _bytes.Write(value);
            return this;
        }

        public Proto String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public Proto Message(int field, Proto value) => Bytes(field, value.ToArray());

        public byte[] ToArray() => _bytes.ToArray();

        private void WriteVarint(ulong value)
        {
            while (value >= 0x80)
            {
                _bytes.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }

            _bytes.WriteByte((byte)value);
        }
    }
}
