using System.Text.Json.Nodes;
using Recur.Models;
using Recur.Modules;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// Joins its inputs along one axis, as Keras' <c>Concatenate</c>: for inputs (B, ..., F_k) on the last axis,
/// effectively computes <c>y[..., :] = [x_0[..., :], x_1[..., :], ...]</c>, of shape (B, ..., Σ_k F_k).
/// </summary>
/// <remarks>
/// <para>The axis counts batch-first axes as Keras does: 1 is the first axis after the batch (time, for sequences),
/// -1 the last; the batch axis 0 cannot be joined. Inputs must agree on every other axis. The output carries the
/// lengths of the first input that has them; joining along the time axis (1) of inputs with lengths is refused, as
/// the padding of one would land inside the sequence.</para>
/// <para>Backward hands each input its slice of ∂L/∂y. Output and input gradients are buffers the layer owns and
/// reuses, valid until the next call.</para>
/// </remarks>
public sealed class Concatenate : Layer
{
    private int[] _shape = [];          // the last output's shape
    private int[] _inner = [];          // per input: values per outer row (its axis size × the axes after it)
    private int _outer;                 // rows before the axis: the product of the axes before it, batch included
    private Tensor?[] _inputGrads = []; // per input, its shape
    private Tensor? _output;

    /// <summary>Creates the layer.</summary>
    /// <param name="axis">The batch-first axis to join on: 1, 2, ... or -1 (the last), -2, ...; not 0 (the batch).</param>
    public Concatenate(int axis = -1)
    {
        if (axis == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(axis), axis, "axis: 0 is the batch axis; expected a positive axis or a negative one counting from the end.");
        }

        Axis = axis;
    }

    /// <summary>The batch-first axis joined on.</summary>
    public int Axis { get; }

    /// <inheritdoc />
    public override int InputCount => -1;

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => [];

    /// <inheritdoc />
    public override int[][] OutputShapes(IReadOnlyList<int[]> inputShapes)
    {
        MergeInputs.CheckCount(this, inputShapes.Count);
        var first = inputShapes[0];
        int axis = Axis < 0 ? Axis + first.Length + 1 : Axis;
        if (axis < 1 || axis > first.Length)
        {
            throw new ArgumentException(
                $"{DescribeForErrors()}: axis {Axis} does not exist for inputs of shape {Tensor.FormatShape(first)} per sample (batch-first axes 1..{first.Length}).");
        }

        var output = (int[])first.Clone();
        for (int i = 1; i < inputShapes.Count; i++)
        {
            MergeInputs.CheckShape(this, i, inputShapes[i], first, axis - 1, perSample: true);
            int size = inputShapes[i][axis - 1];
            output[axis - 1] = size < 0 || output[axis - 1] < 0 ? -1 : output[axis - 1] + size;
        }

        return [output];
    }

    /// <inheritdoc />
    public override void Forward(ReadOnlySpan<LayerValue> inputs, Span<LayerValue> outputs)
    {
        MergeInputs.CheckCount(this, inputs.Length);
        var first = inputs[0].Data;
        int axis = Axis < 0 ? Axis + first.Rank : Axis;
        if (axis < 1 || axis >= first.Rank)
        {
            throw new ArgumentException($"{DescribeForErrors()}: axis {Axis} does not exist for inputs of shape {first.ShapeText}.", nameof(inputs));
        }

        var lengths = MergeInputs.FirstLengths(inputs);
        if (axis == 1 && lengths is not null)
        {
            throw new ArgumentException($"{DescribeForErrors()}: cannot join sequences with lengths along the time axis: padding would fall inside them.", nameof(inputs));
        }

        if (_inputGrads.Length != inputs.Length)
        {
            _inputGrads = new Tensor?[inputs.Length];
            _inner = new int[inputs.Length];
        }

        if (_shape.Length != first.Rank)
        {
            _shape = new int[first.Rank];
        }

        first.Shape.CopyTo(_shape);
        _shape[axis] = 0;
        _outer = 1;
        for (int a = 0; a < axis; a++)
        {
            _outer *= first.Dim(a);
        }

        for (int k = 0; k < inputs.Length; k++)
        {
            var x = inputs[k].Data;
            MergeInputs.CheckShape(this, k, x.Shape, first.Shape, axis, perSample: false);
            _shape[axis] += x.Dim(axis);
            _inner[k] = x.Length / _outer;
            Tensor.ReuseShape(ref _inputGrads[k], x.Shape); // sized now, filled by Backward
        }

        // y (outer, Σ inner_k): each outer row is the inputs' rows side by side.
        var y = Tensor.ReuseShape(ref _output, _shape).Span;
        int total = y.Length / _outer;
        for (int k = 0, offset = 0; k < inputs.Length; offset += _inner[k], k++)
        {
            var x = inputs[k].Data.Span;
            for (int o = 0; o < _outer; o++)
            {
                x.Slice(o * _inner[k], _inner[k]).CopyTo(y.Slice(o * total + offset, _inner[k]));
            }
        }

        outputs[0] = new LayerValue(_output!, lengths);
    }

    /// <inheritdoc />
    public override void Backward(ReadOnlySpan<Tensor?> outputGradients, Span<Tensor?> inputGradients)
    {
        var dy = outputGradients[0]!.Span;
        if (_output is null || dy.Length != _output.Length)
        {
            throw new InvalidOperationException($"{DescribeForErrors()}: Backward needs a Forward first and a gradient of the output's shape.");
        }

        // undoes the copy: each input's gradient is its slice of every outer row of dy.
        int total = dy.Length / _outer;
        for (int k = 0, offset = 0; k < inputGradients.Length; offset += _inner[k], k++)
        {
            var dx = _inputGrads[k]!;
            for (int o = 0; o < _outer; o++)
            {
                dy.Slice(o * total + offset, _inner[k]).CopyTo(dx.Span.Slice(o * _inner[k], _inner[k]));
            }

            inputGradients[k] = dx;
        }
    }

    /// <inheritdoc />
    public override JsonObject GetConfig() => new() { ["axis"] = Axis };

    /// <inheritdoc />
    public override string ToString() => $"Concatenate(axis={Axis})";
}
