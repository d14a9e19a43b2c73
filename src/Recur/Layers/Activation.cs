using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using System.Text.Json.Nodes;
using Recur.Models;
using Recur.Modules;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>The function an <see cref="Activation"/> layer applies.</summary>
public enum ActivationKind
{
    /// <summary>y = max(0, x).</summary>
    Relu,

    /// <summary>y = tanh(x).</summary>
    Tanh,

    /// <summary>y = 1 / (1 + e^(-x)).</summary>
    Sigmoid,

    /// <summary>y[..., i] = e^(x[..., i] - m) / Σ_j e^(x[..., j] - m) over the last axis, m its maximum (stable).</summary>
    Softmax,
}

/// <summary>
/// An elementwise nonlinearity (ReLU, tanh, sigmoid) or a softmax over the last axis, as Keras' <c>Activation</c>.
/// </summary>
/// <remarks>
/// Shapes: any (B, ...) input (softmax: at least one axis per sample); the output has its shape and carries its
/// lengths. Forward keeps y, from which every derivative follows:
/// <code>
/// relu:    dx = dy · [y &gt; 0]        tanh:    dx = dy · (1 - y²)
/// sigmoid: dx = dy · y · (1 - y)    softmax: dx = y ⊙ (dy - Σ_j dy_j y_j)  (per row of the last axis)
/// </code>
/// Output and input gradient are buffers the layer owns and reuses, valid until the next call.
/// </remarks>
public sealed class Activation : Layer
{
    private Tensor? _output, _inputGrad; // the input's shape

    /// <summary>Creates the layer.</summary>
    public Activation(ActivationKind kind)
    {
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "kind: expected Relu, Tanh, Sigmoid or Softmax.");
        }

        Kind = kind;
    }

    /// <summary>The function applied.</summary>
    public ActivationKind Kind { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => [];

    /// <inheritdoc />
    public override int[][] OutputShapes(IReadOnlyList<int[]> inputShapes)
    {
        var x = inputShapes[0];
        if (Kind == ActivationKind.Softmax && x.Length == 0)
        {
            throw new ArgumentException($"{DescribeForErrors()}: softmax needs a last axis per sample, got shape {Tensor.FormatShape(x)}.");
        }

        return [(int[])x.Clone()];
    }

    /// <inheritdoc />
    public override void Forward(ReadOnlySpan<LayerValue> inputs, Span<LayerValue> outputs)
    {
        var x = inputs[0].Data;
        var y = Tensor.ReuseShape(ref _output, x.Shape);
        switch (Kind)
        {
            case ActivationKind.Relu:
                TensorPrimitives.Max(x.Span, 0f, y.Span);
                break;
            case ActivationKind.Tanh:
                TensorPrimitives.Tanh(x.Span, y.Span);
                break;
            case ActivationKind.Sigmoid:
                TensorPrimitives.Sigmoid(x.Span, y.Span);
                break;
            default:
                Softmax(x.Span, y.Span, x.Dim(-1));
                break;
        }

        outputs[0] = new LayerValue(y, inputs[0].Lengths);
    }

    /// <inheritdoc />
    public override void Backward(ReadOnlySpan<Tensor?> outputGradients, Span<Tensor?> inputGradients)
    {
        var y = _output ?? throw new InvalidOperationException("Backward needs a Forward first.");
        var dy = outputGradients[0]!;
        if (!dy.Shape.SequenceEqual(y.Shape))
        {
            throw new ArgumentException($"{DescribeForErrors()}: expected an output gradient of shape {y.ShapeText}, got {dy.ShapeText}.", nameof(outputGradients));
        }

        var dx = Tensor.ReuseShape(ref _inputGrad, y.Shape);
        ReadOnlySpan<float> ys = y.Span, g = dy.Span;
        var d = dx.Span;
        switch (Kind)
        {
            case ActivationKind.Relu:
                for (int i = 0; i < d.Length; i++)
                {
                    d[i] = ys[i] > 0f ? g[i] : 0f;
                }

                break;
            case ActivationKind.Tanh:
                for (int i = 0; i < d.Length; i++)
                {
                    d[i] = g[i] * (1f - ys[i] * ys[i]);
                }

                break;
            case ActivationKind.Sigmoid:
                for (int i = 0; i < d.Length; i++)
                {
                    d[i] = g[i] * ys[i] * (1f - ys[i]);
                }

                break;
            default:
                int n = y.Dim(-1);
                for (int r = 0; r < d.Length; r += n)
                {
                    var yr = ys.Slice(r, n);
                    var dr = d.Slice(r, n);
                    TensorPrimitives.Subtract(g.Slice(r, n), TensorPrimitives.Dot(g.Slice(r, n), yr), dr);
                    TensorPrimitives.Multiply(dr, yr, dr);
                }

                break;
        }

        inputGradients[0] = dx;
    }

    /// <inheritdoc />
    public override JsonObject GetConfig() => new() { ["kind"] = Kind.ToString().ToLowerInvariant() };

    /// <inheritdoc />
    public override string ToString() => $"Activation({Kind.ToString().ToLowerInvariant()})";

    // Each row of n: y = e^(x - max) / Σ e^(x - max), which cannot overflow.
    private static void Softmax(ReadOnlySpan<float> x, Span<float> y, int n)
    {
        for (int r = 0; r < x.Length; r += n)
        {
            var yr = y.Slice(r, n);
            TensorPrimitives.Subtract(x.Slice(r, n), TensorPrimitives.Max(x.Slice(r, n)), yr);
            TensorPrimitives.Exp(yr, yr);
            TensorPrimitives.Divide(yr, TensorPrimitives.Sum(yr), yr);
        }
    }
}
