using System.Text.Json.Nodes;
using Recur.Modules;
using Recur.Tensors;

namespace Recur.Models;

/// <summary>The entry of a model graph: declares the per-sample shape of one model input (-1 for a varying length).</summary>
public sealed class Input : Layer
{
    private readonly int[] _shape;

    /// <summary>Declares an input of per-sample shape <paramref name="shape"/>, e.g. (-1) token ids or (-1, 3) features.</summary>
    public Input(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Any(d => d == 0 || d < -1))
        {
            throw new ArgumentException($"shape: expected positive sizes or -1 (varying), got {Tensor.FormatShape(shape)}.", nameof(shape));
        }

        _shape = (int[])shape.Clone();
    }

    /// <summary>The per-sample shape.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <inheritdoc />
    public override string DefaultName => "input";

    /// <inheritdoc />
    public override int InputCount => 0;

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => [];

    /// <summary>The symbol that stands for this input in a graph.</summary>
    public Symbol Symbol => Node?.Outputs[0] ?? CallMany()[0];

    /// <inheritdoc />
    public override int[][] OutputShapes(IReadOnlyList<int[]> inputShapes) => [(int[])_shape.Clone()];

    /// <inheritdoc />
    public override void Forward(ReadOnlySpan<LayerValue> inputs, Span<LayerValue> outputs) =>
        throw new InvalidOperationException("An Input has no forward pass: the model feeds it.");

    /// <inheritdoc />
    public override void Backward(ReadOnlySpan<Tensor?> outputGradients, Span<Tensor?> inputGradients)
    {
    }

    /// <inheritdoc />
    public override JsonObject GetConfig() => new() { ["shape"] = new JsonArray(_shape.Select(d => (JsonNode)d).ToArray()) };

    /// <summary>Whether a batch tensor fits this input: rank per-sample + 1, and equal sizes except at -1 axes.</summary>
    internal bool Accepts(Tensor t)
    {
        if (t.Rank != _shape.Length + 1 || t.Dim(0) < 1)
        {
            return false;
        }

        for (int a = 0; a < _shape.Length; a++)
        {
            if (_shape[a] != -1 && t.Dim(a + 1) != _shape[a])
            {
                return false;
            }
        }

        return true;
    }
}
