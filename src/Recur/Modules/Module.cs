using Recur.Tensors;

namespace Recur.Modules;

/// <summary>
/// Something with parameters: a layer or a model. Parameters are listed in a fixed, canonical order
/// (PyTorch's order for the recurrent layers), which is the order of a saved state_dict.
/// </summary>
public abstract class Module
{
    /// <summary>The trainable parameters, in canonical order, with PyTorch names.</summary>
    public abstract IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>
    /// Training mode (the default, as in PyTorch) applies dropout; evaluation mode does not. Containers pass the
    /// setting on to their children.
    /// </summary>
    public virtual bool Training { get; set; } = true;

    /// <summary>Total number of trainable scalars.</summary>
    public long ParameterCount => Parameters.Sum(p => (long)p.Value.Length);

    /// <summary>Sets every gradient to zero. Backward passes add into gradients, so call this before each step.</summary>
    public void ZeroGrad()
    {
        var parameters = Parameters;
        for (int i = 0; i < parameters.Count; i++) // not foreach: an interface enumerator allocates
        {
            parameters[i].Grad.Span.Clear();
        }
    }

    /// <summary>The parameter called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No parameter has that name; the message lists the names there are.</exception>
    public Parameter GetParameter(string name)
    {
        foreach (var p in Parameters)
        {
            if (p.Name == name)
            {
                return p;
            }
        }

        throw new KeyNotFoundException(
            $"{GetType().Name} has no parameter '{name}'. Its parameters are: {string.Join(", ", Parameters.Select(p => p.Name))}.");
    }

    /// <summary>A copy of every parameter value by name, like PyTorch's <c>state_dict()</c>.</summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var p in Parameters)
        {
            state.Add(p.Name, p.Value.Clone());
        }

        return state;
    }

    /// <summary>
    /// Copies values into the parameters by name, like PyTorch's <c>load_state_dict</c>. Nothing is changed unless
    /// every check passes: with <paramref name="strict"/>, every parameter must be present and no other name may be;
    /// shapes must match exactly.
    /// </summary>
    /// <exception cref="ArgumentException">A missing or unexpected name, or a shape mismatch (both shapes named).</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        var missing = Parameters.Where(p => !state.ContainsKey(p.Name)).Select(p => p.Name).ToList();
        var names = Parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var unexpected = state.Keys.Where(k => !names.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (strict && (missing.Count > 0 || unexpected.Count > 0))
        {
            throw new ArgumentException(
                $"State dict does not match {GetType().Name}: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}].",
                nameof(state));
        }

        foreach (var p in Parameters)
        {
            if (state.TryGetValue(p.Name, out var t) && !t.Shape.SequenceEqual(p.Value.Shape))
            {
                throw new ArgumentException(
                    $"State dict entry '{p.Name}' has shape {t.ShapeText}, expected {p.Value.ShapeText}.", nameof(state));
            }
        }

        foreach (var p in Parameters)
        {
            if (state.TryGetValue(p.Name, out var t))
            {
                t.Span.CopyTo(p.Value.Span);
            }
        }
    }
}
