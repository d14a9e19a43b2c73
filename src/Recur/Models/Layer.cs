using System.Text.Json.Nodes;
using Recur.Modules;
using Recur.Tensors;

namespace Recur.Models;

/// <summary>
/// A node type of a model graph (Keras' <c>Layer</c>): it declares its output shapes from its input shapes, runs a
/// batch forward and backward, and describes itself as JSON so a saved model can be rebuilt without code.
/// </summary>
/// <remarks>
/// Shapes given to <see cref="OutputShapes"/> are per sample, without the batch axis; -1 stands for a length that
/// varies (the time axis). Tensors given to <see cref="Forward"/> are batch-first. A layer caches what its backward
/// pass needs, so each layer object appears at most once in a model. Outputs and gradients it returns may be views of
/// its own buffers, valid until its next call.
/// </remarks>
public abstract class Layer : Module
{
    /// <summary>Default name stem, e.g. "lstm": a model names its layers stem, stem_1, stem_2, ...</summary>
    public virtual string DefaultName => GetType().Name.ToLowerInvariant();

    /// <summary>The layer's name in its model; the prefix of its parameters' names there ("lstm.weight_ih_l0").</summary>
    public string? Name { get; set; }

    /// <summary>How many inputs the layer takes; -1 for any number (Concatenate, Add).</summary>
    public virtual int InputCount => 1;

    /// <summary>How many outputs the layer produces for the given input shapes.</summary>
    public virtual int OutputCount => 1;

    /// <summary>
    /// Checks the per-sample input shapes and returns the per-sample output shapes (no batch axis; -1 for a
    /// varying time length). Throws an <see cref="ArgumentException"/> naming the layer and both shapes on a mismatch.
    /// </summary>
    public abstract int[][] OutputShapes(IReadOnlyList<int[]> inputShapes);

    /// <summary>Runs one batch; the layer's <see cref="Module.Training"/> flag says whether it is a training pass.</summary>
    public abstract void Forward(ReadOnlySpan<LayerValue> inputs, Span<LayerValue> outputs);

    /// <summary>
    /// Backpropagates the last <see cref="Forward"/>: adds into parameter gradients and writes ∂L/∂input for each input
    /// (null for an input that has no gradient, such as token ids). A null output gradient means the loss does not
    /// depend on that output.
    /// </summary>
    public abstract void Backward(ReadOnlySpan<Tensor?> outputGradients, Span<Tensor?> inputGradients);

    /// <summary>The constructor arguments as JSON, enough to rebuild the layer when a saved model is loaded.</summary>
    public abstract JsonObject GetConfig();

    /// <summary>
    /// The state of the layer's random generator (dropout masks), saved with checkpoints so a resumed run draws the
    /// same masks; null for a layer that draws nothing.
    /// </summary>
    public virtual ulong[]? GetRngState() => null;

    /// <summary>Restores a state from <see cref="GetRngState"/>.</summary>
    public virtual void SetRngState(ReadOnlySpan<ulong> state) =>
        throw new InvalidOperationException($"{DescribeForErrors()} has no random generator state.");

    /// <summary>Applies the layer to a symbolic input (the functional API); returns its first output.</summary>
    public Symbol Call(Symbol input) => CallMany(input)[0];

    /// <summary>Applies the layer to symbolic inputs (the functional API); returns all its outputs.</summary>
    public Symbol[] CallMany(params Symbol[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (InputCount >= 0 && inputs.Length != InputCount)
        {
            throw new ArgumentException($"{DescribeForErrors()}: expected {InputCount} input(s), got {inputs.Length}.", nameof(inputs));
        }

        if (Node is not null)
        {
            throw new InvalidOperationException(
                $"{DescribeForErrors()} is already used in a model graph: a layer keeps the cache of one call, so use a new layer (weights can be shared by loading the same state).");
        }

        var shapes = OutputShapes(inputs.Select(s => s.Shape).ToArray());
        var node = new Node(this, inputs, shapes);
        Node = node;
        return node.Outputs;
    }

    /// <summary>The graph node this layer was called in, if any.</summary>
    internal Node? Node { get; private set; }

    /// <summary>"Dense 'dense_1'" (or just the type before the layer has a name), for error messages.</summary>
    protected internal string DescribeForErrors() => Name is null ? GetType().Name : $"{GetType().Name} '{Name}'";

    /// <summary>Throws unless a per-sample shape has the expected rank and last axis.</summary>
    protected void ExpectShape(int[] shape, int rank, int lastAxis, string expected)
    {
        if (shape.Length != rank || (lastAxis >= 0 && shape[^1] != lastAxis))
        {
            throw new ArgumentException(
                $"{DescribeForErrors()}: expected input shape {expected} per sample, got {Tensor.FormatShape(shape)}.");
        }
    }
}
