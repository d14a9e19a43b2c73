using System.Buffers.Binary;
using System.Collections;
using System.Text;
using Recur.Serialization;
using Recur.Tensors;
using static Recur.Tests.Serialization.SafeTensorsTestFiles;

namespace Recur.Tests.Serialization;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] ToBytes(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var stream = new MemoryStream();
        SafeTensors.Write(stream, tensors, metadata);
        return stream.ToArray();
    }

    private static int[] Bits(Tensor t) => t.Span.ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();

    [Fact]
    public void Round_trip_through_a_file_keeps_values_bit_exact_shapes_and_metadata()
    {
        var tensors = new Dictionary<string, Tensor>
        {
            ["weight_ih_l0"] = Tensor.FromValues(
                [1.5f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, BitConverter.Int32BitsToSingle(0x7FC01234)], 2, 3),
            ["empty"] = new Tensor(0, 3),
            ["scalar"] = Tensor.FromValues([42.25f]),
        };
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode + <html> & \"quotes\"" };
        string path = _dir.File("model.safetensors");

        SafeTensors.Write(path, tensors, metadata);
        var file = SafeTensors.Read(path);

        Assert.Equal(["empty", "scalar", "weight_ih_l0"], file.Tensors.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, expected) in tensors)
        {
            Assert.Equal(expected.Shape.ToArray(), file.Tensors[name].Shape.ToArray());
            Assert.Equal(Bits(expected), Bits(file.Tensors[name]));
        }

        Assert.Empty(file.Tensors["empty"].Span.ToArray());
        Assert.Equal(0, file.Tensors["scalar"].Rank);
        Assert.Equal(metadata.OrderBy(kv => kv.Key), file.Metadata.OrderBy(kv => kv.Key));
    }

    [Fact]
    public void Round_trip_through_a_stream_reads_from_the_current_position_and_writes_views()
    {
        var whole = Tensor.FromValues([0, 1, 2, 3, 4, 5], 3, 2);
        var tensors = new Dictionary<string, Tensor> { ["rows"] = whole.Slice(1, 2) };
        using var stream = new MemoryStream();
        stream.Write([9, 9, 9]);
        SafeTensors.Write(stream, tensors);
        stream.Position = 3;

        var file = SafeTensors.Read(stream);

        Assert.Equal(new[] { 2f, 3f, 4f, 5f }, file.Tensors["rows"].Span.ToArray());
        Assert.Empty(file.Metadata);
    }

    [Fact]
    public void Non_seekable_stream_is_read_like_bytes()
    {
        var bytes = ToBytes(new Dictionary<string, Tensor> { ["a"] = Tensor.FromValues([1f, 2f], 2) });
        using var stream = new NonSeekableStream(bytes);

        var file = SafeTensors.Read(stream);

        Assert.Equal(new[] { 1f, 2f }, file.Tensors["a"].Span.ToArray());
    }

    [Fact]
    public void Writer_output_matches_bytes_built_by_the_reference_rules()
    {
        var tensors = new Dictionary<string, Tensor>
        {
            ["b"] = Tensor.FromValues([1f, -2f], 2),
            ["a"] = Tensor.FromValues([0.5f]),
        };
        var metadata = new Dictionary<string, string> { ["z"] = "last", ["format"] = "pt" };

        // Reference layout: metadata first with sorted keys, tensors sorted by name, compact JSON, space padding to 8.
        string json = "{\"__metadata__\":{\"format\":\"pt\",\"z\":\"last\"}," +
                      "\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}," +
                      "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        string padded = json.PadRight((json.Length + 7) / 8 * 8);
        var expected = Build(padded, F32(0.5f, 1f, -2f));

        Assert.Equal(expected, ToBytes(tensors, metadata));
    }

    [Fact]
    public void Smallest_file_matches_literal_bytes()
    {
        // {"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}} is 54 bytes, padded with 2 spaces to 56 = 0x38.
        byte[] expected =
        [
            0x38, 0, 0, 0, 0, 0, 0, 0,
            .. Encoding.ASCII.GetBytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}  "),
            0x00, 0x00, 0x80, 0x3F,
        ];

        Assert.Equal(expected, ToBytes(new Dictionary<string, Tensor> { ["a"] = Tensor.FromValues([1f], 1) }));
    }

    [Fact]
    public void Same_tensors_in_any_insertion_order_give_the_same_bytes()
    {
        var a = Tensor.FromValues([1f, 2f], 2);
        var b = Tensor.FromValues([3f], 1);
        var first = new Dictionary<string, Tensor> { ["x.weight"] = a, ["x.bias"] = b, ["W"] = b };
        var second = new Dictionary<string, Tensor> { ["W"] = b, ["x.bias"] = b, ["x.weight"] = a };

        var bytes = ToBytes(first);

        Assert.Equal(bytes, ToBytes(second));
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes) % 8);
    }

    [Fact]
    public void F16_BF16_and_F64_tensors_are_read_as_float32()
    {
        byte[] f16 = [0x00, 0x3C, 0x00, 0xC0, 0x00, 0x38, 0xFF, 0x7B]; // 1, -2, 0.5, 65504
        byte[] bf16 = [0x80, 0x3F, 0x00, 0xC0, 0x49, 0x40];             // 1, -2, 3.140625
        var f64 = new byte[16];
        BinaryPrimitives.WriteDoubleLittleEndian(f64, 0.1);
        BinaryPrimitives.WriteDoubleLittleEndian(f64.AsSpan(8), -1e300);
        string json = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,8]}," +
                      "\"bf\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[8,14]}," +
                      "\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[14,30]}}";

        var file = SafeTensors.Read(Build(json, [.. f16, .. bf16, .. f64]));

        Assert.Equal(new[] { 1f, -2f, 0.5f, 65504f }, file.Tensors["h"].Span.ToArray());
        Assert.Equal(new[] { 2, 2 }, file.Tensors["h"].Shape.ToArray());
        Assert.Equal(new[] { 1f, -2f, 3.140625f }, file.Tensors["bf"].Span.ToArray());
        Assert.Equal(new[] { 0.1f, float.NegativeInfinity }, file.Tensors["d"].Span.ToArray());
        Assert.Equal(["h", "bf", "d"], file.Tensors.Keys);
    }

    [Fact]
    public void Tensors_are_returned_in_storage_order_and_header_padding_and_unknown_fields_are_accepted()
    {
        string json = "{\"late\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8],\"extra\":1}," +
                      "\"early\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"__metadata__\":null}     ";

        var file = SafeTensors.Read(Build(json, F32(1f, 2f)));

        Assert.Equal(["early", "late"], file.Tensors.Keys);
        Assert.Equal(2f, file.Tensors["late"].Span[0]);
    }

    [Fact]
    public void Writing_a_tensor_named_like_the_metadata_key_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => ToBytes(new Dictionary<string, Tensor> { ["__metadata__"] = new Tensor(1) }));
        Assert.Contains("__metadata__", e.Message);
    }

    [Fact]
    public void Header_larger_than_readers_accept_is_refused_on_write()
    {
        var metadata = new Dictionary<string, string> { ["blob"] = new string('x', SafeTensors.MaxHeaderLength) };

        var e = Assert.Throws<ArgumentException>(() => ToBytes(new Dictionary<string, Tensor>(), metadata));
        Assert.Contains("100000000", e.Message);
    }

    [Fact]
    public void Null_metadata_value_is_rejected_on_write()
    {
        var metadata = new Dictionary<string, string> { ["k"] = null! };

        var e = Assert.Throws<ArgumentException>(() => ToBytes(new Dictionary<string, Tensor>(), metadata));
        Assert.Contains("'k'", e.Message);
    }

    [Fact]
    public void Failed_write_over_an_existing_file_keeps_it_and_leaves_no_temp_file()
    {
        string path = _dir.File("model.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);

        Assert.Throws<InvalidOperationException>(() => SafeTensors.Write(path, new ThrowingDictionary()));

        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        Assert.Equal(["model.safetensors"], _dir.FileNames());
    }

    [Fact]
    public void Writer_failing_midway_keeps_the_old_file_and_leaves_no_temp_file()
    {
        string path = _dir.File("model.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);

        var e = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[100_000]);
            throw new IOException("disk full");
        }));

        Assert.Equal("disk full", e.Message);
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        Assert.Equal(["model.safetensors"], _dir.FileNames());
    }

    [Fact]
    public void Successful_write_replaces_an_existing_file_and_leaves_no_temp_file()
    {
        string path = _dir.File("model.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        var tensors = new Dictionary<string, Tensor> { ["a"] = Tensor.FromValues([7f], 1) };

        SafeTensors.Write(path, tensors);

        Assert.Equal(ToBytes(tensors), File.ReadAllBytes(path));
        Assert.Equal(["model.safetensors"], _dir.FileNames());
    }

    /// <summary>Yields one tensor, then fails, like a lazily computed dictionary whose source breaks.</summary>
    private sealed class ThrowingDictionary : IReadOnlyDictionary<string, Tensor>
    {
        public Tensor this[string key] => throw new KeyNotFoundException(key);

        public IEnumerable<string> Keys => this.Select(kv => kv.Key);

        public IEnumerable<Tensor> Values => this.Select(kv => kv.Value);

        public int Count => 2;

        public bool ContainsKey(string key) => false;

        public bool TryGetValue(string key, out Tensor value)
        {
            value = null!;
            return false;
        }

        public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator()
        {
            yield return new("a", new Tensor(1));
            throw new InvalidOperationException("enumeration failed");
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }
    }
}
