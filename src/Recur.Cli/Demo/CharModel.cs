using Recur.Layers;
using Recur.Modules;
using Recur.Serialization;
using Recur.Tensors;

namespace Recur.Cli.Demo;

/// <summary>
/// The demo's character model: one-hot(V) → LSTM(H) → Dense(V) logits. Saved with PyTorch's names for a module with
/// children <c>lstm</c> (<c>torch.nn.LSTM(V, H)</c>) and <c>head</c> (<c>torch.nn.Linear(H, V)</c>).
/// </summary>
internal sealed class CharModel : Module
{
    private readonly Parameter[] _parameters;
    private Tensor _oneHot = new(0, 0, 0); // (T, B, V)

    public CharModel(int vocabulary, int hidden, ulong seed)
    {
        var rng = new Rng(seed);
        Lstm = new Lstm(vocabulary, hidden, seed: rng.NextUInt64());
        Head = new Dense(hidden, vocabulary, seed: rng.NextUInt64());
        _parameters = [.. Lstm.Parameters, .. Head.Parameters];
    }

    public Lstm Lstm { get; }

    public Dense Head { get; }

    public override IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Logits (T, B, V) for input ids (T, B); the LSTM's final state is in <c>Lstm</c>'s last output.</summary>
    public Tensor Forward(ReadOnlySpan<int> ids, int steps, int batch, RecurrentState? state, out RecurrentState finalState)
    {
        int v = Head.OutFeatures;
        if (!_oneHot.HasShape(steps, batch, v))
        {
            _oneHot = new Tensor(steps, batch, v);
        }

        var x = _oneHot.Span;
        x.Clear();
        for (int r = 0; r < steps * batch; r++)
        {
            x[r * v + ids[r]] = 1f;
        }

        var result = Lstm.Forward(_oneHot, state);
        finalState = result.FinalState;
        return Head.Forward(result.Output);
    }

    /// <summary>Adds the gradients for ∂L/∂logits (T, B, V); the carried state gets none (truncated BPTT).</summary>
    public void Backward(Tensor logitsGradient) => Lstm.Backward(Head.Backward(logitsGradient));

    /// <summary>Writes the parameters under "lstm." and "head." and <paramref name="metadata"/>, atomically.</summary>
    public void Save(string path, IReadOnlyDictionary<string, string> metadata)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (prefix, module) in new (string, Module)[] { ("lstm.", Lstm), ("head.", Head) })
        {
            foreach (var (name, tensor) in module.StateDict())
            {
                tensors.Add(prefix + name, tensor);
            }
        }

        SafeTensors.Write(path, tensors, metadata);
    }
}
