using Recur.Tensors;

namespace Recur.Modules;

/// <summary>
/// A trainable tensor and its gradient, under the name it has in a PyTorch <c>state_dict</c>
/// (for instance <c>weight_hh_l0_reverse</c>), so that checkpoints can be exchanged with PyTorch.
/// </summary>
public sealed class Parameter
{
    /// <summary>Creates a zero-filled parameter and gradient of the given shape.</summary>
    public Parameter(string name, params int[] shape)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Value = new Tensor(shape);
        Grad = new Tensor(shape);
    }

    /// <summary>Another name for the same value and gradient, e.g. "lstm.weight_ih_l0" inside a model.</summary>
    internal Parameter(string name, Parameter of)
    {
        Name = name;
        Value = of.Value;
        Grad = of.Grad;
    }

    /// <summary>The state_dict name (PyTorch naming).</summary>
    public string Name { get; }

    /// <summary>The current value.</summary>
    public Tensor Value { get; }

    /// <summary>The gradient: backward passes add into it; <see cref="Module.ZeroGrad"/> clears it.</summary>
    public Tensor Grad { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} {Value.ShapeText}";
}
