namespace Recur.Models;

/// <summary>
/// A plain stack of layers, each feeding the next (Keras' <c>Sequential</c>). The first element declares the
/// input: <c>new Sequential(new Input(-1), new Embedding(v, 16), new Lstm(16, 16) { ReturnSequences = false }, new Dense(16, v))</c>.
/// </summary>
public sealed class Sequential(Input input, params Layer[] layers) : Model([input.Symbol], [Chain(input, layers)])
{
    private static Symbol Chain(Input input, Layer[] layers)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Length == 0)
        {
            throw new ArgumentException("layers: a Sequential model needs at least one layer after its Input.", nameof(layers));
        }

        var x = input.Symbol;
        foreach (var layer in layers)
        {
            x = (layer ?? throw new ArgumentException("layers: a layer is null.", nameof(layers))).Call(x);
        }

        return x;
    }
}
