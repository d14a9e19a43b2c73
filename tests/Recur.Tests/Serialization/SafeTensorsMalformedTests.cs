using System.Buffers.Binary;
using System.Text;
using Recur.Serialization;
using Recur.Tensors;
using static Recur.Tests.Serialization.SafeTensorsTestFiles;

namespace Recur.Tests.Serialization;

public sealed class SafeTensorsMalformedTests : IDisposable
{
    // Characters that keep mutated headers close to JSON, so mutations reach the checks after parsing.
    private const string JsonChars = "0123456789{}[],:\"-.eE FIabdefhnopstu_";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Two F32 tensors: "a" (2, 2) at [0, 16) and "b" (3) at [16, 28).</summary>
    private static byte[] ValidFile()
    {
        using var stream = new MemoryStream();
        SafeTensors.Write(stream, new Dictionary<string, Tensor>
        {
            ["a"] = Tensor.FromValues([1, 2, 3, 4], 2, 2),
            ["b"] = Tensor.FromValues([5, 6, 7], 3),
        }, new Dictionary<string, string> { ["format"] = "pt" });
        return stream.ToArray();
    }

    /// <summary>
    /// Reads <paramref name="bytes"/> as bytes, as a stream and as a file, and checks that each throws the format
    /// exception with every fragment in its message (and the path, for the file).
    /// </summary>
    private SafeTensorsFormatException AssertRejected(byte[] bytes, params string[] fragments)
    {
        var fromBytes = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Read(bytes));
        var fromStream = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Read(new MemoryStream(bytes)));
        string path = _dir.File("bad.safetensors");
        File.WriteAllBytes(path, bytes);
        var fromFile = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Read(path));

        Assert.StartsWith(path + ": ", fromFile.Message);
        Assert.Equal(path, fromFile.FilePath);
        Assert.Null(fromBytes.FilePath);
        Assert.Equal(fromBytes.Message, fromStream.Message);
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, fromBytes.Message);
            Assert.Contains(fragment, fromFile.Message);
        }

        return fromBytes;
    }

    private static string Entry(string name, string dtype, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

    [Theory]
    [InlineData(0, "0 bytes, shorter than the 8-byte")]
    [InlineData(5, "5 bytes, shorter than the 8-byte")]
    [InlineData(8, "only 0 bytes follow the prefix")]
    [InlineData(30, "only 22 bytes follow the prefix")]
    public void File_cut_inside_the_prefix_or_header_is_rejected(int length, string expected)
    {
        AssertRejected(ValidFile()[..length], expected);
    }

    [Fact]
    public void File_cut_inside_the_data_names_the_tensor_past_the_end()
    {
        var bytes = ValidFile();
        int dataStart = bytes.Length - 28;

        AssertRejected(bytes[..dataStart], "tensor 'a'", "past the end of the 0-byte data buffer", "truncated");
        AssertRejected(bytes[..(dataStart + 20)], "tensor 'b'", "data_offsets [16, 28]", "20-byte data buffer");
        AssertRejected(bytes[..^1], "tensor 'b'", "27-byte data buffer");
    }

    [Theory]
    [InlineData(ulong.MaxValue, "18446744073709551615 bytes, more than the limit of 100000000")]
    [InlineData(100_000_001UL, "100000001 bytes, more than the limit")]
    [InlineData(1000UL, "header length is 1000 bytes, but only")]
    public void Forged_header_length_is_rejected_before_allocating(ulong headerLength, string expected)
    {
        var bytes = ValidFile();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLength);

        AssertRejected(bytes, expected);
    }

    [Theory]
    [InlineData("{not json}", "not valid JSON")]
    [InlineData("{\"a\":1,}", "not valid JSON")]
    [InlineData("{} x", "not valid JSON")]
    [InlineData("[1, 2]", "must be a JSON object starting with '{', found '['")]
    [InlineData("", "found an empty header")]
    public void Header_that_is_not_a_json_object_is_rejected(string header, string expected)
    {
        AssertRejected(Build(header, []), expected);
    }

    [Fact]
    public void Header_that_is_not_utf8_is_rejected()
    {
        var bytes = Build("{\"a\":1}", []);
        bytes[10] = 0xFF;

        AssertRejected(bytes, "not valid UTF-8");
    }

    [Theory]
    [InlineData("I64")]
    [InlineData("U8")]
    [InlineData("BOOL")]
    public void Unsupported_dtype_names_the_tensor_and_the_dtype(string dtype)
    {
        var e = AssertRejected(Build("{" + Entry("step", dtype, "[1]", 0, 8) + "}", new byte[8]),
            "tensor 'step'", $"dtype {dtype} is not supported", "F32, F64, F16 and BF16");
        Assert.Equal("step", e.TensorName);
    }

    [Theory]
    [InlineData("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", "no \"dtype\"")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", "no \"shape\"")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", "no \"data_offsets\"")]
    [InlineData("{\"w\":[1,2]}", "must be an object with dtype, shape and data_offsets, found [1,2]")]
    [InlineData("{\"w\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", "\"dtype\" must be a string, found 32")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}}", "\"shape\" must be an array of integers, found \"1\"")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", "found 1.5 at axis 0")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", "\"data_offsets\" must be [begin, end]")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,\"4\"]}}", "found [0,\"4\"]")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", "non-negative integers")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "\"dtype\" appears twice")]
    public void Entry_with_missing_or_mistyped_fields_is_rejected(string header, string expected)
    {
        AssertRejected(Build(header, new byte[4]), "tensor 'w'", expected);
    }

    [Theory]
    [InlineData("[2,-3]", "negative dimension -3 at axis 1")]
    [InlineData("[3000000000]", "dimension 3000000000 at axis 0, more than a tensor can hold")]
    [InlineData("[2147483591,2147483591,2147483591,4]", "more elements than a tensor can hold")]
    [InlineData("[100000000000000000000]", "must be an array of integers, found 100000000000000000000")]
    public void Shape_that_is_negative_or_too_large_is_rejected_without_overflow(string shape, string expected)
    {
        AssertRejected(Build("{" + Entry("w", "F32", shape, 0, 4) + "}", new byte[4]), "tensor 'w'", expected);
    }

    [Fact]
    public void Byte_range_that_does_not_match_shape_and_dtype_names_both_sizes()
    {
        AssertRejected(Build("{" + Entry("w", "F32", "[2,2]", 0, 12) + "}", new byte[12]),
            "tensor 'w'", "dtype F32 with shape (2, 2) needs 16 bytes", "data_offsets [0, 12] hold 12");
        AssertRejected(Build("{" + Entry("w", "F16", "[3]", 0, 4) + "}", new byte[4]), "needs 6 bytes");
        AssertRejected(Build("{" + Entry("w", "F32", "[1]", 8, 4) + "}", new byte[4]), "[8, 4] end before they begin");
    }

    [Fact]
    public void Overlapping_offsets_name_both_tensors()
    {
        string header = "{" + Entry("a", "F32", "[2]", 0, 8) + "," + Entry("b", "F32", "[2]", 4, 12) + "}";

        AssertRejected(Build(header, new byte[12]), "tensor 'b'", "[4, 12] overlap tensor 'a', which ends at 8");
    }

    [Fact]
    public void Hole_between_tensors_or_before_the_first_is_rejected()
    {
        string gap = "{" + Entry("a", "F32", "[1]", 0, 4) + "," + Entry("b", "F32", "[1]", 8, 12) + "}";
        string start = "{" + Entry("a", "F32", "[1]", 4, 8) + "}";

        AssertRejected(Build(gap, new byte[12]), "tensor 'b'", "hole of 4 bytes after tensor 'a'", "expected begin 4");
        AssertRejected(Build(start, new byte[8]), "tensor 'a'", "hole of 4 bytes after the start of the buffer");
    }

    [Fact]
    public void Trailing_bytes_after_the_last_tensor_are_rejected()
    {
        var bytes = ValidFile();

        AssertRejected([.. bytes, 0xDE, 0xAD], "the data buffer is 30 bytes but the tensors cover 28", "2 trailing bytes");
    }

    [Fact]
    public void Duplicate_tensor_names_are_rejected()
    {
        string header = "{" + Entry("a", "F32", "[1]", 0, 4) + "," + Entry("a", "F32", "[1]", 4, 8) + "}";

        var e = AssertRejected(Build(header, new byte[8]), "the key 'a' twice");
        Assert.Equal("a", e.TensorName);
    }

    [Theory]
    [InlineData("{\"epoch\":3}", "value for 'epoch' must be a string, found 3")]
    [InlineData("{\"tags\":[\"x\"]}", "value for 'tags' must be a string, found [\"x\"]")]
    [InlineData("{\"k\":\"v\",\"k\":\"w\"}", "\"__metadata__\" has the key 'k' twice")]
    [InlineData("\"pt\"", "\"__metadata__\" must be an object of strings, found \"pt\"")]
    public void Metadata_that_is_not_a_string_map_is_rejected(string metadata, string expected)
    {
        string header = "{\"__metadata__\":" + metadata + "," + Entry("a", "F32", "[1]", 0, 4) + "}";

        AssertRejected(Build(header, new byte[4]), expected);
    }

    [Fact]
    public void Random_byte_flips_and_truncations_only_ever_throw_the_format_exception()
    {
        var valid = ValidFile();
        var random = new Random(20240607);
        int rejected = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            var bytes = (byte[])valid.Clone();
            int flips = random.Next(1, 4);
            for (int f = 0; f < flips; f++)
            {
                bytes[random.Next(bytes.Length)] = random.Next(2) == 0
                    ? (byte)random.Next(256)
                    : (byte)JsonChars[random.Next(JsonChars.Length)];
            }

            if (random.Next(4) == 0)
            {
                bytes = bytes[..random.Next(bytes.Length)];
            }

            try
            {
                SafeTensors.Read(bytes);
            }
            catch (SafeTensorsFormatException)
            {
                rejected++;
            }
        }

        // Most mutations must be caught; some (a flipped float bit) are legitimately still valid files.
        Assert.InRange(rejected, 1500, 3000);
    }

    [Fact]
    public void Fuzzed_header_text_never_escapes_as_another_exception()
    {
        string header = "{\"__metadata__\":{\"k\":\"v\"}," + Entry("a", "F32", "[2,2]", 0, 16) + "}";
        var random = new Random(7);
        for (int trial = 0; trial < 2000; trial++)
        {
            var chars = header.ToCharArray();
            chars[random.Next(chars.Length)] = JsonChars[random.Next(JsonChars.Length)];
            var bytes = Build(new string(chars), new byte[random.Next(2) == 0 ? 16 : random.Next(32)]);
            try
            {
                SafeTensors.Read(bytes);
            }
            catch (SafeTensorsFormatException e)
            {
                Assert.StartsWith("safetensors data: ", e.Message);
            }
        }
    }

    [Fact]
    public void Format_exception_message_is_readable_text()
    {
        var e = AssertRejected(Build("{" + Entry("w", "I64", "[1]", 0, 8) + "}", new byte[8]));

        Assert.Equal("safetensors data: tensor 'w': dtype I64 is not supported; Recur reads F32, F64, F16 and BF16 (as float32).", e.Message);
        Assert.DoesNotContain("\n", e.Message, StringComparison.Ordinal);
        Assert.True(Encoding.UTF8.GetByteCount(e.Message) < 200);
    }
}
