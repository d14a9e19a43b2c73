using Recur.Kernels;
using System.Text.Json.Nodes;
using Recur.Models;
using Recur.Modules;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// A fully connected layer on the last axis, as <c>torch.nn.Linear</c>: effectively computes
/// <c>y[..., o] = Σ_i x[..., i] · weight[o, i] + bias[o]</c>, so (T, B, H) → (T, B, V) and (N, I) → (N, O) alike.
/// </summary>
/// <remarks>
/// <para>Parameters: <c>weight</c> (O, I) and <c>bias</c> (O), PyTorch's names and shapes, initialised as PyTorch does
/// (kaiming-uniform with a = √5, which for both comes to U(-1/√I, 1/√I)).</para>
/// <para>Shapes (N = the product of the leading axes): input (..., I), output (..., O). Forward keeps a copy of the
/// input for <see cref="Backward(Tensor)"/>; outputs and input gradients are views of buffers the layer owns and reuses, valid
/// until the next call, so a steady-state step allocates nothing.</para>
/// </remarks>
public sealed class Dense : Layer
{
    private readonly Parameter _weight; // (O, I)
    private readonly Parameter? _bias;  // (O)
    private readonly Parameter[] _parameters;
    private float[] _input = [];      // (N, I) copy of the last input
    private float[] _output = [];     // (N, O)
    private float[] _inputGrad = [];  // (N, I)
    private int[] _leading = [];      // the leading axes of the last input
    private int _rows = -1;           // N of the last Forward; -1 before the first
    private Tensor? _outputView, _inputGradView;

    /// <summary>Creates a layer mapping <paramref name="inFeatures"/> to <paramref name="outFeatures"/>.</summary>
    /// <param name="inFeatures">I: size of the input's last axis, at least 1.</param>
    /// <param name="outFeatures">O: size of the output's last axis, at least 1.</param>
    /// <param name="bias">Whether to add the learnt bias.</param>
    /// <param name="seed">Seed of the initialisation.</param>
    public Dense(int inFeatures, int outFeatures, bool bias = true, ulong seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outFeatures, 1);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        _weight = new Parameter("weight", outFeatures, inFeatures);
        _bias = bias ? new Parameter("bias", outFeatures) : null;
        _parameters = _bias is null ? [_weight] : [_weight, _bias];
        ResetParameters(new Rng(seed));
    }

    /// <summary>I: features of the input's last axis.</summary>
    public int InFeatures { get; }

    /// <summary>O: features of the output's last axis.</summary>
    public int OutFeatures { get; }

    /// <summary><c>weight</c>, (O, I).</summary>
    public Parameter Weight => _weight;

    /// <summary><c>bias</c>, (O); null when created without bias.</summary>
    public Parameter? Bias => _bias;

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>PyTorch's default initialisation: weight and bias uniform in [-1/√I, 1/√I).</summary>
    public void ResetParameters(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        float k = 1f / MathF.Sqrt(InFeatures);
        rng.FillUniform(_weight.Value.Span, -k, k);
        if (_bias is not null)
        {
            rng.FillUniform(_bias.Value.Span, -k, k);
        }
    }

    /// <inheritdoc />
    public override int[][] OutputShapes(IReadOnlyList<int[]> inputShapes)
    {
        var x = inputShapes[0];
        if (x.Length < 1 || x[^1] != InFeatures)
        {
            throw new ArgumentException(
                $"{DescribeForErrors()}: expected input shape (..., {InFeatures}) per sample, got {Tensor.FormatShape(x)}.");
        }

        return [[.. x[..^1], OutFeatures]];
    }

    /// <inheritdoc />
    public override void Forward(ReadOnlySpan<LayerValue> inputs, Span<LayerValue> outputs) =>
        outputs[0] = new LayerValue(Forward(inputs[0].Data), inputs[0].Lengths); // per time step: lengths pass through

    /// <inheritdoc />
    public override void Backward(ReadOnlySpan<Tensor?> outputGradients, Span<Tensor?> inputGradients) =>
        inputGradients[0] = Backward(outputGradients[0]!);

    /// <inheritdoc />
    public override JsonObject GetConfig() => new() { ["in_features"] = InFeatures, ["out_features"] = OutFeatures, ["bias"] = _bias is not null };

    /// <summary>y = x·Wᵀ + b on the last axis; keeps x for <see cref="Backward(Tensor)"/>.</summary>
    /// <param name="input">(..., I), rank at least 1, finite values.</param>
    /// <returns>(..., O): a view valid until the next Forward.</returns>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 1 || input.Dim(-1) != InFeatures)
        {
            throw new ArgumentException(
                $"input: expected shape (..., {InFeatures}) (any leading axes, I = {InFeatures} last), got {input.ShapeText}.", nameof(input));
        }

        if (Node is null) // inside a model, the model checks its inputs and Fit its predictions
        {
            Check.Finite(input, nameof(input));
        }
        int rows = input.Length / InFeatures, i = InFeatures, o = OutFeatures;
        if (!SameLeadingAxes(input))
        {
            _leading = input.Shape[..^1].ToArray();
            _outputView = _inputGradView = null;
        }

        _rows = rows;
        _input = Grow(_input, rows * i);
        _output = Grow(_output, rows * o);
        input.Span.CopyTo(_input);

        var y = _output.AsSpan(0, rows * o);
        if (_bias is not null)
        {
            Elementwise.BroadcastRows(_bias.Value.Span, y, rows);
        }

        // y (N, O) += x (N, I) · Wᵀ (I, O)
        Gemm.Multiply(_input, i, false, _weight.Value.Span, i, true, rows, o, i, y, o, accumulate: _bias is not null);
        return ReuseView(ref _outputView, _output, o);
    }

    /// <summary>
    /// Backpropagates the last <see cref="Forward(Tensor)"/>: adds ∂L/∂W and ∂L/∂b into the gradients (call
    /// <see cref="Module.ZeroGrad"/> between steps) and returns ∂L/∂x.
    /// </summary>
    /// <param name="outputGradient">∂L/∂y, the shape of the last output (..., O); finite values.</param>
    /// <returns>∂L/∂x, (..., I): a view valid until the next Backward.</returns>
    public Tensor Backward(Tensor outputGradient)
    {
        if (_rows < 0)
        {
            throw new InvalidOperationException("Backward needs a Forward first: there is no input to backpropagate to.");
        }

        ArgumentNullException.ThrowIfNull(outputGradient);
        int rows = _rows, i = InFeatures, o = OutFeatures;
        if (outputGradient.Rank != _leading.Length + 1 || outputGradient.Dim(-1) != o || !SameLeadingAxes(outputGradient))
        {
            throw new ArgumentException(
                $"outputGradient: expected shape {Tensor.FormatShape([.. _leading, o])} (the shape of the last output), got {outputGradient.ShapeText}.",
                nameof(outputGradient));
        }

        if (Node is null)
        {
            Check.Finite(outputGradient, nameof(outputGradient));
        }
        var dy = outputGradient.Span;

        // undoes y = x·Wᵀ + b:  dW (O, I) += dyᵀ (O, N) · x (N, I);  db (O) += Σ_n dy[n];  dx (N, I) = dy (N, O) · W (O, I)
        Gemm.Multiply(dy, o, true, _input, i, false, o, i, rows, _weight.Grad.Span, i, accumulate: true);
        if (_bias is not null)
        {
            Elementwise.AddRowSums(dy, rows, _bias.Grad.Span);
        }

        _inputGrad = Grow(_inputGrad, rows * i);
        Gemm.Multiply(dy, o, false, _weight.Value.Span, i, false, rows, i, o, _inputGrad, i, accumulate: false);
        return ReuseView(ref _inputGradView, _inputGrad, i);
    }

    /// <inheritdoc />
    public override string ToString() => $"Dense(in_features={InFeatures}, out_features={OutFeatures}, bias={_bias is not null})";

    private bool SameLeadingAxes(Tensor t)
    {
        if (t.Rank != _leading.Length + 1)
        {
            return false;
        }

        for (int a = 0; a < _leading.Length; a++)
        {
            if (t.Shape[a] != _leading[a])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A (..., last) view of the start of <paramref name="buffer"/>, kept in <paramref name="slot"/> while it fits.</summary>
    private Tensor ReuseView(ref Tensor? slot, float[] buffer, int last)
    {
        if (slot is null || !ReferenceEquals(slot.Buffer, buffer))
        {
            slot = Tensor.View(buffer, 0, [.. _leading, last]);
        }

        return slot;
    }

    private static float[] Grow(float[] buffer, int length) => buffer.Length >= length ? buffer : new float[length];
}
