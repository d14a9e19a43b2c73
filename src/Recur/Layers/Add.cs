using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using System.Text.Json.Nodes;
using Recur.Models;
using Recur.Modules;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// Adds its inputs elementwise, as Keras' <c>Add</c>: effectively computes <c>y = x_0 + x_1 + ...</c>, all of one
/// shape (B, ...), for residual connections and joined branches.
/// </summary>
/// <remarks>
/// The output carries the lengths of the first input that has them. Backward hands every input ∂L/∂y itself. The
/// output is a buffer the layer owns and reuses, valid until the next call.
/// </remarks>
public sealed class Add : Layer
{
    private Tensor? _output; // (B, ...)

    /// <inheritdoc />
    public override int InputCount => -1;

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => [];

    /// <inheritdoc />
    public override int[][] OutputShapes(IReadOnlyList<int[]> inputShapes)
    {
        MergeInputs.CheckCount(this, inputShapes.Count);
        for (int i = 1; i < inputShapes.Count; i++)
        {
            MergeInputs.CheckShape(this, i, inputShapes[i], inputShapes[0], -1, perSample: true);
        }

        return [(int[])inputShapes[0].Clone()];
    }

    /// <inheritdoc />
    public override void Forward(ReadOnlySpan<LayerValue> inputs, Span<LayerValue> outputs)
    {
        MergeInputs.CheckCount(this, inputs.Length);
        var first = inputs[0].Data;
        var y = Tensor.ReuseShape(ref _output, first.Shape);
        first.Span.CopyTo(y.Span);
        for (int i = 1; i < inputs.Length; i++)
        {
            MergeInputs.CheckShape(this, i, inputs[i].Data.Shape, first.Shape, -1, perSample: false);
            TensorPrimitives.Add(y.Span, inputs[i].Data.Span, y.Span);
        }

        outputs[0] = new LayerValue(y, MergeInputs.FirstLengths(inputs));
    }

    /// <inheritdoc />
    public override void Backward(ReadOnlySpan<Tensor?> outputGradients, Span<Tensor?> inputGradients)
    {
        // ∂y/∂x_i is the identity for every input.
        for (int i = 0; i < inputGradients.Length; i++)
        {
            inputGradients[i] = outputGradients[0];
        }
    }

    /// <inheritdoc />
    public override JsonObject GetConfig() => new();

    /// <inheritdoc />
    public override string ToString() => "Add()";
}
