using System.Text.Json.Nodes;
using Recur.Models;
using Recur.Tensors;

namespace Recur.Losses;

/// <summary>
/// A training objective for a model output: the mean over the counted elements of a batch, and its gradient with
/// respect to the prediction, which starts the backward pass.
/// </summary>
/// <remarks>
/// Predictions are batch-first, (B, ...). For a sequence prediction (B, T, ...) whose <see cref="LayerValue.Lengths"/>
/// are set, steps t ≥ length are padding and do not count. Targets are float tensors whose shape the loss defines
/// (class indices stored as floats for the cross-entropy; the prediction's shape for regression losses).
/// </remarks>
public abstract class Loss
{
    /// <summary>Short name for logs and configs, e.g. "cross_entropy", "mse".</summary>
    public abstract string Name { get; }

    /// <summary>How many elements (rows, or scalars for regression) the last <see cref="Compute"/> counted.</summary>
    public int LastCount { get; protected set; }

    /// <summary>
    /// The mean loss over the counted elements, and, when <paramref name="gradient"/> is given, ∂loss/∂prediction
    /// written into it (overwritten; the prediction's shape; zero at padding).
    /// </summary>
    /// <exception cref="ArgumentException">Shapes do not fit (both named), or a target is out of range.</exception>
    public abstract double Compute(LayerValue prediction, Tensor target, Tensor? gradient);

    /// <summary>Constructor arguments as JSON, for saved models.</summary>
    public virtual JsonObject GetConfig() => new();
}
