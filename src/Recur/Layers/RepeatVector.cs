using System.Text.Json.Nodes;
using Recur.Kernels;
using Recur.Models;
using Recur.Modules;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// Repeats a vector along a new time axis, as Keras' <c>RepeatVector</c>: effectively computes
/// <c>y[b, t, :] = x[b, :]</c> for t &lt; steps, (B, F) → (B, steps, F). It lets a vector (an encoding, an image
/// feature) seed a sequence in one-to-many models.
/// </summary>
/// <remarks>Backward sums ∂L/∂y over the steps. Output and input gradient are buffers the layer owns and reuses.</remarks>
public sealed class RepeatVector : Layer
{
    private Tensor? _output, _inputGrad; // (B, steps, F), (B, F)

    /// <summary>Creates the layer.</summary>
    /// <param name="steps">How many time steps to make, at least 1.</param>
    public RepeatVector(int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        Steps = steps;
    }

    /// <summary>How many time steps the output has.</summary>
    public int Steps { get; }

    /// <inheritdoc />
    public override string DefaultName => "repeat_vector";

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => [];

    /// <inheritdoc />
    public override int[][] OutputShapes(IReadOnlyList<int[]> inputShapes)
    {
        ExpectShape(inputShapes[0], 1, -1, "(F)");
        return [[Steps, inputShapes[0][0]]];
    }

    /// <inheritdoc />
    public override void Forward(ReadOnlySpan<LayerValue> inputs, Span<LayerValue> outputs)
    {
        var x = inputs[0].Data;
        Check.Rank(x, 2, nameof(inputs), "(B, F)");
        int batch = x.Dim(0), f = x.Dim(1);
        var y = Tensor.Reuse(ref _output, batch, Steps, f);
        for (int b = 0; b < batch; b++)
        {
            Elementwise.BroadcastRows(x.Span.Slice(b * f, f), y.Span.Slice(b * Steps * f, Steps * f), Steps);
        }

        outputs[0] = new LayerValue(y);
    }

    /// <inheritdoc />
    public override void Backward(ReadOnlySpan<Tensor?> outputGradients, Span<Tensor?> inputGradients)
    {
        var y = _output ?? throw new InvalidOperationException("Backward needs a Forward first.");
        var dy = outputGradients[0]!;
        int batch = y.Dim(0), f = y.Dim(2);
        Check.Shape(dy, nameof(outputGradients), "(the output's)", batch, Steps, f);

        // undoes y[b, t] = x[b]:  dx[b] = Σ_t dy[b, t]
        var dx = Tensor.Reuse(ref _inputGrad, batch, f);
        dx.Span.Clear();
        for (int b = 0; b < batch; b++)
        {
            Elementwise.AddRowSums(dy.Span.Slice(b * Steps * f, Steps * f), Steps, dx.Span.Slice(b * f, f));
        }

        inputGradients[0] = dx;
    }

    /// <inheritdoc />
    public override JsonObject GetConfig() => new() { ["steps"] = Steps };

    /// <inheritdoc />
    public override string ToString() => $"RepeatVector({Steps})";
}
