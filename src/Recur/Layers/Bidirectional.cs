using System.Text.Json.Nodes;
using Recur.Models;

namespace Recur.Layers;

/// <summary>
/// Keras' <c>Bidirectional(layer, merge_mode)</c>: a copy of a one-directional recurrent layer that also reads each
/// sequence from its last step to its first and joins the two directions by concatenation (2H features, the forward
/// direction first, as PyTorch's <c>bidirectional=True</c>) or by sum (H). The copy has the same configuration, its
/// own weights (PyTorch's names, with <c>_reverse</c> for the backward direction), freshly initialised from a seed.
/// </summary>
public static class Bidirectional
{
    /// <summary>
    /// The bidirectional version of <paramref name="layer"/> (which must not be bidirectional already), e.g.
    /// <c>Bidirectional.Of(new Lstm(16, 32) { ReturnSequences = false }, BidirectionalMerge.Sum)</c>.
    /// </summary>
    public static RecurrentLayer Of(RecurrentLayer layer, BidirectionalMerge merge = BidirectionalMerge.Concat, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer.Bidirectional)
        {
            throw new ArgumentException($"layer: expected a one-directional layer, got {layer}.", nameof(layer));
        }

        if (!Enum.IsDefined(merge))
        {
            throw new ArgumentOutOfRangeException(nameof(merge), merge, "merge: expected Concat or Sum.");
        }

        JsonObject config = layer.GetConfig();
        config["bidirectional"] = true;
        config["merge"] = merge.ToString().ToLowerInvariant();
        var result = (RecurrentLayer)LayerRegistry.Create(layer.GetType().Name, config);
        result.ResetParameters(new Rng(seed));
        return result;
    }
}
