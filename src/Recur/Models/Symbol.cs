using Recur.Tensors;

namespace Recur.Models;

/// <summary>
/// A symbolic tensor of the functional API: output <see cref="Index"/> of a graph node, with its per-sample
/// <see cref="Shape"/> (no batch axis; -1 for a varying time length). Models are built by calling layers on symbols.
/// </summary>
public sealed class Symbol
{
    internal Symbol(Node producer, int index, int[] shape)
    {
        Producer = producer;
        Index = index;
        Shape = shape;
    }

    /// <summary>The node whose output this is.</summary>
    internal Node Producer { get; }

    /// <summary>Which output of the producer.</summary>
    public int Index { get; }

    /// <summary>Per-sample shape; -1 marks a varying length.</summary>
    public int[] Shape { get; }

    /// <summary>Shape as "(None, 16)" in Keras style, the batch axis first.</summary>
    public string ShapeText => "(None" + string.Concat(Shape.Select(d => ", " + (d < 0 ? "None" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))) + ")";

    /// <inheritdoc />
    public override string ToString() => $"Symbol{Tensor.FormatShape(Shape)} from {Producer.Layer.GetType().Name}";
}

/// <summary>A layer applied to symbolic inputs: one vertex of a model graph.</summary>
internal sealed class Node
{
    public Node(Layer layer, Symbol[] inputs, int[][] outputShapes)
    {
        Layer = layer;
        Inputs = inputs;
        Outputs = outputShapes.Select((s, i) => new Symbol(this, i, s)).ToArray();
    }

    public Layer Layer { get; }

    public Symbol[] Inputs { get; }

    public Symbol[] Outputs { get; }
}
