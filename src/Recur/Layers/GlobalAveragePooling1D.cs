using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using System.Text.Json.Nodes;
using Recur.Kernels;
using Recur.Models;
using Recur.Modules;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// The mean over the valid time steps, as Keras' <c>GlobalAveragePooling1D</c> with a mask: effectively computes
/// <c>y[b, :] = (1 / len_b) Σ_{t &lt; len_b} x[b, t, :]</c>, (B, T, F) → (B, F), with len_b the sequence's length
/// (T when the input carries none). Padding steps neither count nor receive gradient.
/// </summary>
/// <remarks>
/// Backward: <c>dx[b, t, :] = dy[b, :] / len_b</c> for t &lt; len_b, else 0. Output and input gradient are buffers
/// the layer owns and reuses, valid until the next call.
/// </remarks>
public sealed class GlobalAveragePooling1D : Layer
{
    private int[] _lengths = []; // (B) len_b of the last Forward
    private int _steps;          // T of the last Forward
    private Tensor? _output, _inputGrad; // (B, F), (B, T, F)

    /// <inheritdoc />
    public override string DefaultName => "global_average_pooling1d";

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => [];

    /// <inheritdoc />
    public override int[][] OutputShapes(IReadOnlyList<int[]> inputShapes)
    {
        ExpectShape(inputShapes[0], 2, -1, "(T, F)");
        return [[inputShapes[0][1]]];
    }

    /// <inheritdoc />
    public override void Forward(ReadOnlySpan<LayerValue> inputs, Span<LayerValue> outputs)
    {
        var x = inputs[0].Data;
        Check.Rank(x, 3, nameof(inputs), "(B, T, F)");
        int batch = x.Dim(0), steps = x.Dim(1), f = x.Dim(2);
        var lengths = inputs[0].Lengths;
        if (lengths is not null && lengths.Length != batch)
        {
            throw new ArgumentException($"{DescribeForErrors()}: expected one length per sequence (B = {batch}), got {lengths.Length}.", nameof(inputs));
        }

        if (_lengths.Length != batch)
        {
            _lengths = new int[batch];
        }

        _steps = steps;
        var y = Tensor.Reuse(ref _output, batch, f);
        y.Span.Clear();
        for (int b = 0; b < batch; b++)
        {
            int len = lengths?[b] ?? steps;
            if (len < 1 || len > steps)
            {
                throw new ArgumentException($"{DescribeForErrors()}: lengths[{b}] is {len}, expected 1..{steps} (T).", nameof(inputs));
            }

            _lengths[b] = len;
            var row = y.Span.Slice(b * f, f);
            Elementwise.AddRowSums(x.Span.Slice(b * steps * f, len * f), len, row);
            TensorPrimitives.Multiply(row, 1f / len, row);
        }

        outputs[0] = new LayerValue(y);
    }

    /// <inheritdoc />
    public override void Backward(ReadOnlySpan<Tensor?> outputGradients, Span<Tensor?> inputGradients)
    {
        var y = _output ?? throw new InvalidOperationException("Backward needs a Forward first.");
        var dy = outputGradients[0]!;
        int batch = y.Dim(0), f = y.Dim(1), steps = _steps;
        Check.Shape(dy, nameof(outputGradients), "(the output's)", batch, f);

        // undoes y[b] = mean_{t < len_b} x[b, t]:  dx[b, t] = dy[b] / len_b on valid steps, 0 on padding.
        var dx = Tensor.Reuse(ref _inputGrad, batch, steps, f);
        for (int b = 0; b < batch; b++)
        {
            int len = _lengths[b];
            var rows = dx.Span.Slice(b * steps * f, steps * f);
            for (int t = 0; t < len; t++)
            {
                TensorPrimitives.Multiply(dy.Span.Slice(b * f, f), 1f / len, rows.Slice(t * f, f));
            }

            rows[(len * f)..].Clear();
        }

        inputGradients[0] = dx;
    }

    /// <inheritdoc />
    public override JsonObject GetConfig() => new();

    /// <inheritdoc />
    public override string ToString() => "GlobalAveragePooling1D()";
}
