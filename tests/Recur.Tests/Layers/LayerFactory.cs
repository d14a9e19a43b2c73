using Recur.Layers;
using Recur.Tests.Reference;

namespace Recur.Tests.Layers;

/// <summary>Builds a fast layer and its double-precision twin with the same weights.</summary>
public static class LayerFactory
{
    public static RecurrentLayer Create(
        RecurrentMode mode, int input, int hidden, int layers = 1, bool bidirectional = false,
        bool batchFirst = false, bool bias = true, ulong seed = 1, float dropout = 0f) => mode switch
        {
            RecurrentMode.Lstm => new Lstm(input, hidden, layers, bias, batchFirst, dropout, bidirectional, seed),
            RecurrentMode.Gru => new Gru(input, hidden, layers, bias, batchFirst, dropout, bidirectional, seed),
            RecurrentMode.RnnRelu => new Rnn(input, hidden, layers, RnnNonlinearity.Relu, bias, batchFirst, dropout, bidirectional, seed),
            _ => new Rnn(input, hidden, layers, RnnNonlinearity.Tanh, bias, batchFirst, dropout, bidirectional, seed),
        };

    public static NaiveRecurrent Twin(RecurrentMode mode, RecurrentLayer layer)
    {
        var net = new NaiveRecurrent(mode, layer.InputSize, layer.HiddenSize, layer.NumLayers, layer.Bidirectional, layer.Bias);
        foreach (var p in layer.Parameters)
        {
            net.Weights[p.Name] = Tolerance.ToDouble(p.Value.Span);
        }

        Assert.Equal(net.ParameterShapes().Select(p => p.Name), layer.Parameters.Select(p => p.Name));
        return net;
    }
}
