using Recur.Layers;
using Recur.Tensors;

namespace Recur.Diagnostics;

/// <summary>
/// What one stacked layer and direction of a recurrent layer computed at every step and unit of its last forward
/// pass, by PyTorch's letters: the hidden state <c>h</c>; for the LSTM the cell state <c>c</c> and the gates
/// <c>i</c>, <c>f</c>, <c>g</c>, <c>o</c>; for the GRU the gates <c>r</c>, <c>z</c>, <c>n</c> (see each cell's
/// equations). Each is a (B, T, H) tensor: sequence b, input step t, unit j, also for the reverse direction.
/// </summary>
/// <remarks>
/// The values are copied out of the caches the forward pass keeps for backpropagation, so they are exactly what the
/// layer computed, whether it ran alone or inside a model, in training or evaluation mode; nothing is recorded
/// while it runs. Steps past a sequence's valid length (padded batches) are NaN.
/// <code>
/// model.Training = false;
/// model.Forward(new LayerValue(ids));                      // (1, T) token ids
/// var seen = RecurrentActivations.Read(lstm, layerIndex: 1);
/// Tensor forget = seen["f"];                               // (1, T, H)
/// </code>
/// </remarks>
public sealed class RecurrentActivations
{
    private readonly Dictionary<string, Tensor> _values;

    private RecurrentActivations(
        int layer, int direction, int batch, int steps, int hiddenSize, IReadOnlyList<string> names, Dictionary<string, Tensor> values)
    {
        Layer = layer;
        Direction = direction;
        Batch = batch;
        Steps = steps;
        HiddenSize = hiddenSize;
        _values = values;
        Names = names;
    }

    /// <summary>The stacked layer read, 0 (reading the input) to L-1.</summary>
    public int Layer { get; }

    /// <summary>0 forward, 1 reverse.</summary>
    public int Direction { get; }

    /// <summary>B: sequences of the forward pass.</summary>
    public int Batch { get; }

    /// <summary>T: steps of the forward pass.</summary>
    public int Steps { get; }

    /// <summary>H: units.</summary>
    public int HiddenSize { get; }

    /// <summary>The quantities held: "h", then for the LSTM "c", "i", "f", "g", "o", for the GRU "r", "z", "n".</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>h_t, (B, T, H).</summary>
    public Tensor Hidden => _values["h"];

    /// <summary>The quantity <paramref name="name"/> (one of <see cref="Names"/>), (B, T, H).</summary>
    /// <exception cref="ArgumentException">This cell has no such quantity.</exception>
    public Tensor this[string name] => _values.TryGetValue(name, out var value)
        ? value
        : throw new ArgumentException($"name: expected one of {string.Join(", ", Names)} for this cell, got '{name}'.", nameof(name));

    /// <summary>The names a <see cref="Read"/> of <paramref name="layer"/> gives, known before any forward pass.</summary>
    public static IReadOnlyList<string> NamesOf(RecurrentLayer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var cell = layer.Cell(0, 0);
        var names = new List<string> { "h" };
        if (cell.HasCellState)
        {
            names.Add("c");
        }

        names.AddRange(cell.GateLetters);
        return names;
    }

    /// <summary>
    /// Copies what stacked layer <paramref name="layerIndex"/>, direction <paramref name="direction"/> of
    /// <paramref name="layer"/> computed in its last forward pass.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">No such stacked layer or direction.</exception>
    /// <exception cref="InvalidOperationException">The layer has not run forward yet.</exception>
    public static RecurrentActivations Read(RecurrentLayer layer, int layerIndex = 0, int direction = 0)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layerIndex < 0 || layerIndex >= layer.NumLayers)
        {
            throw new ArgumentOutOfRangeException(nameof(layerIndex), layerIndex, $"layerIndex: expected a stacked layer in 0..{layer.NumLayers - 1}, got {layerIndex}.");
        }

        if (direction < 0 || direction >= layer.Directions)
        {
            throw new ArgumentOutOfRangeException(nameof(direction), direction,
                $"direction: expected {(layer.Bidirectional ? "0 (forward) or 1 (reverse)" : "0 (the layer is not bidirectional)")}, got {direction}.");
        }

        var cell = layer.Cell(layerIndex, direction);
        int steps = cell.CachedSteps, batch = cell.CachedBatch, h = layer.HiddenSize;
        if (steps == 0)
        {
            throw new InvalidOperationException("Read needs a forward pass first: the layer has computed nothing yet.");
        }

        var names = NamesOf(layer);
        var values = names.ToDictionary(name => name, _ => new Tensor(batch, steps, h));
        cell.CopyHidden(values["h"].Span);
        if (cell.HasCellState)
        {
            cell.CopyCell(values["c"].Span);
        }

        for (int k = 0; k < cell.GateLetters.Count; k++)
        {
            cell.CopyGate(k, values[cell.GateLetters[k]].Span);
        }

        return new RecurrentActivations(layerIndex, direction, batch, steps, h, names, values);
    }
}
