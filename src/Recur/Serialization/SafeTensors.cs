using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Recur.Tensors;

namespace Recur.Serialization;

/// <summary>
/// Reads and writes the Hugging Face safetensors format, which PyTorch (<c>safetensors.torch.save_file</c> /
/// <c>load_file</c>) exchanges without pickle's arbitrary code execution.
/// </summary>
/// <remarks>
/// Layout: an 8-byte little-endian unsigned header length N; N bytes of UTF-8 JSON
/// <c>{"__metadata__": {string: string}, "name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ..}</c>,
/// padded with spaces; then the data buffer, in which each tensor's little-endian bytes lie at
/// [begin, end) relative to the buffer's start.
/// <para>
/// Reading accepts dtypes F32, and F64, F16 and BF16 converted to float32 (F16 and BF16 exactly, F64 rounded to
/// nearest); any other dtype is rejected. Like the reference implementation, reading requires the header to be at
/// most <see cref="MaxHeaderLength"/> bytes and the byte ranges to tile the whole buffer: contiguous from 0, without
/// holes, overlaps or trailing bytes. Every violation throws <see cref="SafeTensorsFormatException"/>.
/// </para>
/// <para>
/// Writing always stores F32, in the reference writer's order (by name, as UTF-8 bytes), with the metadata first and
/// sorted, so the same tensors and metadata give the same bytes.
/// </para>
/// </remarks>
public static class SafeTensors
{
    /// <summary>The largest header accepted, in bytes (the reference implementation's limit).</summary>
    public const int MaxHeaderLength = 100_000_000;

    private const int PrefixLength = sizeof(ulong);
    private const string MetadataKey = "__metadata__";

    // A multiple of every element size, so that a chunk never splits an element.
    private const int ChunkBytes = 1 << 16;

    private enum StoredType
    {
        F32,
        F64,
        F16,
        BF16,
    }

    /// <summary>Reads the safetensors file at <paramref name="path"/>.</summary>
    /// <exception cref="SafeTensorsFormatException">The file is malformed; the message starts with the path.</exception>
    public static SafeTensorsFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
        return ReadStream(stream, path);
    }

    /// <summary>Reads safetensors data from the current position of <paramref name="stream"/> to its end.</summary>
    /// <exception cref="SafeTensorsFormatException">The data is malformed.</exception>
    public static SafeTensorsFile Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ReadStream(stream, source: null);
    }

    /// <summary>Reads safetensors data held entirely in <paramref name="bytes"/>.</summary>
    /// <exception cref="SafeTensorsFormatException">The data is malformed.</exception>
    public static SafeTensorsFile Read(ReadOnlySpan<byte> bytes) => ReadBytes(bytes, source: null);

    private static SafeTensorsFile ReadStream(Stream stream, string? source)
    {
        if (stream.CanSeek)
        {
            return ReadSeekable(stream, source);
        }

        // Without a known length, a forged header could make us allocate tensors larger than the data; buffering
        // first bounds every allocation by the bytes actually present.
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return ReadBytes(copy.GetBuffer().AsSpan(0, (int)copy.Length), source);
    }

    private static SafeTensorsFile ReadBytes(ReadOnlySpan<byte> bytes, string? source)
    {
        int headerLength = CheckHeaderLength(bytes, bytes.Length, source);
        var header = ParseHeader(bytes.Slice(PrefixLength, headerLength).ToArray(), bytes.Length - PrefixLength - headerLength, source);
        var buffer = bytes[(PrefixLength + headerLength)..];
        var tensors = new OrderedDictionary<string, Tensor>(header.Entries.Count, StringComparer.Ordinal);
        foreach (var e in header.Entries)
        {
            var tensor = new Tensor(e.Shape);
            Decode(buffer[(int)e.Begin..(int)e.End], e.Type, tensor.Span);
            tensors.Add(e.Name, tensor);
        }

        return new SafeTensorsFile(tensors, header.Metadata);
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> as F32 and <paramref name="metadata"/> to <paramref name="path"/> atomically:
    /// the data goes to a temporary file in the same directory, is flushed to disk, and then replaces the file.
    /// On failure the temporary file is deleted and an existing file is left as it was.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A tensor or metadata value is null, a tensor is named <c>__metadata__</c>, or the header would exceed <see cref="MaxHeaderLength"/>.
    /// </exception>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var layout = PlanLayout(tensors, metadata);
        AtomicFile.Write(path, stream => WriteLayout(stream, layout));
    }

    /// <summary>Writes <paramref name="tensors"/> as F32 and <paramref name="metadata"/> to <paramref name="stream"/>.</summary>
    /// <exception cref="ArgumentException">
    /// A tensor or metadata value is null, a tensor is named <c>__metadata__</c>, or the header would exceed <see cref="MaxHeaderLength"/>.
    /// </exception>
    public static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var layout = PlanLayout(tensors, metadata);
        WriteLayout(stream, layout);
        stream.Flush();
    }

    private static SafeTensorsFile ReadSeekable(Stream stream, string? source)
    {
        long available = stream.Length - stream.Position;
        Span<byte> prefix = stackalloc byte[PrefixLength];
        int prefixRead = stream.ReadAtLeast(prefix, PrefixLength, throwOnEndOfStream: false);
        int headerLength = CheckHeaderLength(prefix[..prefixRead], available, source);

        var headerBytes = new byte[headerLength];
        ReadFully(stream, headerBytes, source, tensorName: null);
        var header = ParseHeader(headerBytes, available - PrefixLength - headerLength, source);

        // ParseHeader proved the entries tile the buffer in this order, so one forward pass reads them all.
        var chunk = new byte[ChunkBytes];
        var tensors = new OrderedDictionary<string, Tensor>(header.Entries.Count, StringComparer.Ordinal);
        foreach (var e in header.Entries)
        {
            var tensor = new Tensor(e.Shape);
            var values = tensor.Span;
            int elementSize = ElementSize(e.Type);
            long remaining = e.End - e.Begin;
            while (remaining > 0)
            {
                int n = (int)Math.Min(remaining, ChunkBytes);
                ReadFully(stream, chunk.AsSpan(0, n), source, e.Name);
                Decode(chunk.AsSpan(0, n), e.Type, values[..(n / elementSize)]);
                values = values[(n / elementSize)..];
                remaining -= n;
            }

            tensors.Add(e.Name, tensor);
        }

        return new SafeTensorsFile(tensors, header.Metadata);
    }

    /// <summary>Validates the 8-byte prefix against <paramref name="totalLength"/> (prefix included) and returns N.</summary>
    private static int CheckHeaderLength(ReadOnlySpan<byte> bytes, long totalLength, string? source)
    {
        if (totalLength < PrefixLength || bytes.Length < PrefixLength)
        {
            throw new SafeTensorsFormatException(source, null,
                $"the data is {totalLength} bytes, shorter than the {PrefixLength}-byte header length prefix.");
        }

        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (n > MaxHeaderLength)
        {
            throw new SafeTensorsFormatException(source, null,
                $"the header length is {n} bytes, more than the limit of {MaxHeaderLength} bytes.");
        }

        if ((long)n > totalLength - PrefixLength)
        {
            throw new SafeTensorsFormatException(source, null,
                $"the header length is {n} bytes, but only {totalLength - PrefixLength} bytes follow the prefix.");
        }

        return (int)n;
    }

    private static void ReadFully(Stream stream, Span<byte> destination, string? source, string? tensorName)
    {
        int read = stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
        if (read < destination.Length)
        {
            // The length was checked up front, so this means the file shrank while being read.
            throw new SafeTensorsFormatException(source, tensorName,
                $"the data ended early: expected {destination.Length} more bytes, got {read}.");
        }
    }

    private sealed record Entry(string Name, StoredType Type, int[] Shape, long Begin, long End);

    private sealed record Header(List<Entry> Entries, OrderedDictionary<string, string> Metadata);

    /// <summary>Parses and validates the JSON header; returns the entries sorted by their position in the buffer.</summary>
    private static Header ParseHeader(byte[] header, long bufferLength, string? source)
    {
        if (!Utf8.IsValid(header))
        {
            throw new SafeTensorsFormatException(source, null, "the header is not valid UTF-8.");
        }

        if (header.Length == 0 || header[0] != (byte)'{')
        {
            string found = header.Length == 0 ? "an empty header" : $"'{Encoding.UTF8.GetString(header, 0, 1)}'";
            throw new SafeTensorsFormatException(source, null, $"the header must be a JSON object starting with '{{', found {found}.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw new SafeTensorsFormatException(source, null, $"the header is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var entries = new List<Entry>();
            var metadata = new OrderedDictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    throw new SafeTensorsFormatException(source, property.Name, $"the header has the key '{property.Name}' twice.");
                }

                if (property.Name == MetadataKey)
                {
                    ReadMetadata(property.Value, metadata, source);
                }
                else
                {
                    entries.Add(ParseEntry(property.Name, property.Value, bufferLength, source));
                }
            }

            CheckTiling(entries, bufferLength, source);
            return new Header(entries, metadata);
        }
    }

    private static void ReadMetadata(JsonElement value, OrderedDictionary<string, string> metadata, string? source)
    {
        // The reference reads "__metadata__": null as no metadata.
        if (value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new SafeTensorsFormatException(source, null,
                $"\"{MetadataKey}\" must be an object of strings, found {Describe(value)}.");
        }

        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw new SafeTensorsFormatException(source, null,
                    $"\"{MetadataKey}\" value for '{item.Name}' must be a string, found {Describe(item.Value)}.");
            }

            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
            {
                throw new SafeTensorsFormatException(source, null, $"\"{MetadataKey}\" has the key '{item.Name}' twice.");
            }
        }
    }

    private static Entry ParseEntry(string name, JsonElement value, long bufferLength, string? source)
    {
        SafeTensorsFormatException Error(string detail) => new(source, name, $"tensor '{name}': {detail}");

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Error($"the entry must be an object with dtype, shape and data_offsets, found {Describe(value)}.");
        }

        JsonElement? dtypeField = null, shapeField = null, offsetsField = null;
        foreach (var field in value.EnumerateObject())
        {
            ref JsonElement? slot = ref dtypeField;
            switch (field.Name)
            {
                case "dtype":
                    break;
                case "shape":
                    slot = ref shapeField;
                    break;
                case "data_offsets":
                    slot = ref offsetsField;
                    break;
                default:
                    // Unknown fields are ignored, as by the reference reader.
                    continue;
            }

            if (slot is not null)
            {
                throw Error($"the field \"{field.Name}\" appears twice.");
            }

            slot = field.Value;
        }

        var dtype = dtypeField ?? throw Error("the entry has no \"dtype\".");
        var shapeJson = shapeField ?? throw Error("the entry has no \"shape\".");
        var offsets = offsetsField ?? throw Error("the entry has no \"data_offsets\".");

        if (dtype.ValueKind != JsonValueKind.String)
        {
            throw Error($"\"dtype\" must be a string, found {Describe(dtype)}.");
        }

        string dtypeName = dtype.GetString()!;
        StoredType type = dtypeName switch
        {
            "F32" => StoredType.F32,
            "F64" => StoredType.F64,
            "F16" => StoredType.F16,
            "BF16" => StoredType.BF16,
            _ => throw Error($"dtype {dtypeName} is not supported; Recur reads F32, F64, F16 and BF16 (as float32)."),
        };

        if (shapeJson.ValueKind != JsonValueKind.Array)
        {
            throw Error($"\"shape\" must be an array of integers, found {Describe(shapeJson)}.");
        }

        var shape = new int[shapeJson.GetArrayLength()];
        int axis = 0;
        foreach (var dim in shapeJson.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long d))
            {
                throw Error($"\"shape\" must be an array of integers, found {Describe(dim)} at axis {axis}.");
            }

            if (d < 0)
            {
                throw Error($"\"shape\" has the negative dimension {d} at axis {axis}.");
            }

            if (d > Array.MaxLength)
            {
                throw Error($"\"shape\" has the dimension {d} at axis {axis}, more than a tensor can hold.");
            }

            shape[axis++] = (int)d;
        }

        long count = ElementCount(shape);
        if (count > Array.MaxLength)
        {
            throw Error($"shape {Tensor.FormatShape(shape)} has more elements than a tensor can hold ({Array.MaxLength}).");
        }

        if (offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2
            || !TryGetOffset(offsets[0], out ulong begin) || !TryGetOffset(offsets[1], out ulong end))
        {
            throw Error($"\"data_offsets\" must be [begin, end] with two non-negative integers, found {Describe(offsets)}.");
        }

        if (begin > end)
        {
            throw Error($"data_offsets [{begin}, {end}] end before they begin.");
        }

        // count <= Array.MaxLength and size <= 8, so this cannot overflow.
        long expectedBytes = count * ElementSize(type);
        if (end - begin != (ulong)expectedBytes)
        {
            throw Error($"dtype {dtypeName} with shape {Tensor.FormatShape(shape)} needs {expectedBytes} bytes, " +
                        $"but data_offsets [{begin}, {end}] hold {end - begin}.");
        }

        if (end > (ulong)bufferLength)
        {
            throw Error($"data_offsets [{begin}, {end}] go past the end of the {bufferLength}-byte data buffer (is the file truncated?).");
        }

        return new Entry(name, type, shape, (long)begin, (long)end);
    }

    /// <summary>Checks that the entries' byte ranges cover the buffer exactly once, and sorts them by position.</summary>
    private static void CheckTiling(List<Entry> entries, long bufferLength, string? source)
    {
        // Name breaks ties between empty tensors at the same offset, so the order is deterministic.
        entries.Sort((a, b) =>
        {
            int c = a.Begin.CompareTo(b.Begin);
            c = c != 0 ? c : a.End.CompareTo(b.End);
            return c != 0 ? c : string.CompareOrdinal(a.Name, b.Name);
        });

        long covered = 0;
        string previous = "";
        foreach (var e in entries)
        {
            if (e.Begin < covered)
            {
                throw new SafeTensorsFormatException(source, e.Name,
                    $"tensor '{e.Name}': data_offsets [{e.Begin}, {e.End}] overlap tensor '{previous}', which ends at {covered}.");
            }

            if (e.Begin > covered)
            {
                string after = previous.Length == 0 ? "the start of the buffer" : $"tensor '{previous}'";
                throw new SafeTensorsFormatException(source, e.Name,
                    $"tensor '{e.Name}': data_offsets [{e.Begin}, {e.End}] leave a hole of {e.Begin - covered} bytes " +
                    $"after {after} (offsets must be contiguous, expected begin {covered}).");
            }

            covered = e.End;
            previous = e.Name;
        }

        if (covered != bufferLength)
        {
            throw new SafeTensorsFormatException(source, null,
                $"the data buffer is {bufferLength} bytes but the tensors cover {covered}: " +
                $"{bufferLength - covered} trailing bytes belong to no tensor.");
        }
    }

    private static long ElementCount(int[] shape)
    {
        if (shape.Contains(0))
        {
            return 0;
        }

        long count = 1;
        foreach (int d in shape)
        {
            count *= d;

            // Stop before the product can overflow: both factors are below 2^31 here.
            if (count > Array.MaxLength)
            {
                return long.MaxValue;
            }
        }

        return count;
    }

    private static int ElementSize(StoredType type) => type switch
    {
        StoredType.F64 => 8,
        StoredType.F32 => 4,
        _ => 2,
    };

    /// <summary>Converts little-endian <paramref name="source"/> elements to float32: effectively <c>destination[i] = (float)source[i]</c>.</summary>
    private static void Decode(ReadOnlySpan<byte> source, StoredType type, Span<float> destination)
    {
        switch (type)
        {
            case StoredType.F32:
                for (int i = 0; i < destination.Length; i++)
                {
                    destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * i)..]);
                }

                break;
            case StoredType.F64:
                for (int i = 0; i < destination.Length; i++)
                {
                    destination[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(source[(8 * i)..]);
                }

                break;
            case StoredType.F16:
                for (int i = 0; i < destination.Length; i++)
                {
                    destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(source[(2 * i)..]);
                }

                break;
            case StoredType.BF16:
                // bfloat16 is the upper half of a float32, so widening is a shift.
                for (int i = 0; i < destination.Length; i++)
                {
                    destination[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(source[(2 * i)..]) << 16);
                }

                break;
        }
    }

    private static string Describe(JsonElement value)
    {
        string text = value.GetRawText();
        return text.Length <= 40 ? text : text[..40] + "...";
    }

    private sealed record Layout(byte[] Header, KeyValuePair<string, Tensor>[] Tensors);

    private static Layout PlanLayout(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var ordered = tensors.ToArray();
        foreach (var (name, tensor) in ordered)
        {
            if (tensor is null)
            {
                throw new ArgumentException($"Tensor '{name}' is null.", nameof(tensors));
            }

            if (name == MetadataKey)
            {
                throw new ArgumentException($"'{MetadataKey}' is reserved for metadata and cannot name a tensor.", nameof(tensors));
            }
        }

        // The reference writer sorts Rust strings, which compare by UTF-8 bytes.
        Array.Sort(ordered, (a, b) => Utf8Compare(a.Key, b.Key));

        var header = new ArrayBufferWriter<byte>();
        var options = new JsonWriterOptions
        {
            // Escape only what JSON requires, like serde_json; the header is never embedded in HTML.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        using (var json = new Utf8JsonWriter(header, options))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(kv => kv.Key, Comparer<string>.Create(Utf8Compare)))
                {
                    json.WriteString(key, value ?? throw new ArgumentException($"Metadata value for '{key}' is null.", nameof(metadata)));
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach (var (name, tensor) in ordered)
            {
                long end = offset + (long)tensor.Length * sizeof(float);
                json.WriteStartObject(name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int d in tensor.Shape)
                {
                    json.WriteNumberValue(d);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(end);
                json.WriteEndArray();
                json.WriteEndObject();
                offset = end;
            }

            json.WriteEndObject();
        }

        // Pad with spaces so the buffer starts 8-byte aligned, as the reference writer does.
        int padded = (header.WrittenCount + 7) / 8 * 8;
        if (padded > MaxHeaderLength)
        {
            throw new ArgumentException(
                $"The header would be {padded} bytes, more than readers accept ({MaxHeaderLength}); store less metadata.", nameof(metadata));
        }

        var bytes = new byte[padded];
        header.WrittenSpan.CopyTo(bytes);
        bytes.AsSpan(header.WrittenCount).Fill((byte)' ');
        return new Layout(bytes, ordered);
    }

    private static void WriteLayout(Stream stream, Layout layout)
    {
        Span<byte> prefix = stackalloc byte[PrefixLength];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)layout.Header.Length);
        stream.Write(prefix);
        stream.Write(layout.Header);

        var chunk = new byte[ChunkBytes];
        foreach (var (_, tensor) in layout.Tensors)
        {
            ReadOnlySpan<float> values = tensor.Span;
            while (!values.IsEmpty)
            {
                int n = Math.Min(values.Length, ChunkBytes / sizeof(float));
                for (int i = 0; i < n; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(chunk.AsSpan(sizeof(float) * i), values[i]);
                }

                stream.Write(chunk, 0, n * sizeof(float));
                values = values[n..];
            }
        }
    }

    private static int Utf8Compare(string a, string b) =>
        Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b));

    /// <summary><see cref="JsonElement.TryGetUInt64"/>, but false instead of throwing for non-numbers.</summary>
    private static bool TryGetOffset(JsonElement element, out ulong value)
    {
        value = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetUInt64(out value);
    }
}
