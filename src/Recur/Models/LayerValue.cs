using Recur.Tensors;

namespace Recur.Models;

/// <summary>
/// What flows along an edge of a model: a batch-first tensor, (B, ...) — for sequences (B, T, F) — and, for a padded
/// batch of variable-length sequences, the (B) valid lengths (null: every sequence has T steps). Layers that work
/// per time step pass the lengths on; recurrent layers and sequence losses honour them.
/// </summary>
/// <param name="Data">The batch, batch axis first.</param>
/// <param name="Lengths">(B) valid lengths of a padded sequence batch, or null.</param>
public readonly record struct LayerValue(Tensor Data, int[]? Lengths = null);
