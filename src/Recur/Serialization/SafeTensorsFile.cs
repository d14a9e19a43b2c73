using Recur.Tensors;

namespace Recur.Serialization;

/// <summary>The contents of a safetensors file: named float32 tensors and the free-form string metadata.</summary>
public sealed class SafeTensorsFile
{
    /// <summary>Creates the contents from tensors and metadata (both kept, not copied).</summary>
    public SafeTensorsFile(OrderedDictionary<string, Tensor> tensors, OrderedDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(metadata);
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>The tensors by name, in the order their bytes are stored in the file.</summary>
    public OrderedDictionary<string, Tensor> Tensors { get; }

    /// <summary>The <c>__metadata__</c> entries, in header order (empty when the file has none).</summary>
    public OrderedDictionary<string, string> Metadata { get; }
}
