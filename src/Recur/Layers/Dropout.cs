using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using System.Text.Json.Nodes;
using Recur.Models;
using Recur.Modules;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// Inverted dropout, as <c>torch.nn.Dropout</c>: in training mode effectively computes
/// <c>y[i] = x[i] · m[i] / (1 - p)</c> with <c>m[i] = 0</c> with probability p, else 1; in evaluation mode
/// (<see cref="Module.Training"/> false) <c>y = x</c>.
/// </summary>
/// <remarks>
/// <para>Shapes: any (B, ...) input; the output has its shape and carries its lengths. No parameters.</para>
/// <para>Masks come from the layer's own seeded generator. Save <see cref="GetRngState"/> with a checkpoint and
/// restore it with <see cref="SetRngState"/> so a resumed run draws the same masks bit for bit.</para>
/// </remarks>
public sealed class Dropout : Layer
{
    private readonly Rng _rng;
    private readonly float _scale;  // 1 / (1 - p)
    private float[] _mask = [];     // (N) 0 or 1/(1-p) per element of the last training Forward
    private bool _applied;          // whether the last Forward used a mask (else it was the identity)
    private Tensor? _output, _inputGrad; // the input's shape

    /// <summary>Creates a dropout layer.</summary>
    /// <param name="p">Probability of zeroing each value, in [0, 1).</param>
    /// <param name="seed">Seed of the masks.</param>
    public Dropout(float p, ulong seed = 0)
    {
        if (!(p >= 0f && p < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "p: expected a probability in [0, 1).");
        }

        P = p;
        Seed = seed;
        _scale = 1f / (1f - p);
        _rng = new Rng(seed);
    }

    /// <summary>The probability of zeroing each value.</summary>
    public float P { get; }

    /// <summary>The seed the masks started from.</summary>
    public ulong Seed { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => [];

    /// <summary>The mask generator's state, to save with a checkpoint.</summary>
    public override ulong[] GetRngState() => _rng.GetState();

    /// <summary>Restores a state from <see cref="GetRngState"/>: the next masks are those that followed it.</summary>
    public override void SetRngState(ReadOnlySpan<ulong> state) => _rng.SetState(state);

    /// <inheritdoc />
    public override int[][] OutputShapes(IReadOnlyList<int[]> inputShapes) => [(int[])inputShapes[0].Clone()];

    /// <inheritdoc />
    public override void Forward(ReadOnlySpan<LayerValue> inputs, Span<LayerValue> outputs)
    {
        var x = inputs[0].Data;
        _applied = Training && P > 0f;
        if (!_applied)
        {
            outputs[0] = inputs[0];
            return;
        }

        if (_mask.Length < x.Length)
        {
            _mask = new float[x.Length];
        }

        var mask = _mask.AsSpan(0, x.Length);
        for (int i = 0; i < mask.Length; i++)
        {
            mask[i] = _rng.NextDouble() < P ? 0f : _scale;
        }

        var y = Tensor.ReuseShape(ref _output, x.Shape);
        TensorPrimitives.Multiply(x.Span, mask, y.Span);
        outputs[0] = new LayerValue(y, inputs[0].Lengths);
    }

    /// <inheritdoc />
    public override void Backward(ReadOnlySpan<Tensor?> outputGradients, Span<Tensor?> inputGradients)
    {
        var dy = outputGradients[0]!;
        if (!_applied)
        {
            inputGradients[0] = dy;
            return;
        }

        // undoes y = x ⊙ m:  dx = dy ⊙ m
        var dx = Tensor.ReuseShape(ref _inputGrad, dy.Shape);
        TensorPrimitives.Multiply(dy.Span, _mask.AsSpan(0, dy.Length), dx.Span);
        inputGradients[0] = dx;
    }

    /// <inheritdoc />
    public override JsonObject GetConfig() => new() { ["p"] = P, ["seed"] = Seed };

    /// <inheritdoc />
    public override string ToString() => $"Dropout(p={P})";
}
