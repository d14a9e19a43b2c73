using System.Text.Json.Nodes;
using Recur.Modules;
using Recur.Tensors;

namespace Recur.Optimizers;

/// <summary>
/// Updates a fixed list of parameters from their gradients, as <c>torch.optim.Optimizer</c>: subclasses only add
/// <see cref="Step"/>, the per-parameter buffers it keeps (declared with <see cref="AddState"/>, so that
/// <see cref="GetState"/> and <see cref="LoadState"/> cover them) and <see cref="GetConfig"/>.
/// </summary>
public abstract class Optimizer
{
    private readonly Parameter[] _parameters;
    private readonly List<(string Name, float[][] Buffers)> _state = []; // buffer name, [p] (the shape of parameter p)

    /// <summary>Takes the parameters to update (each at most once), in a fixed order.</summary>
    /// <param name="parameters">The parameters, for instance <see cref="Module.Parameters"/>; at least one.</param>
    /// <param name="learningRate">The step size; finite and >= 0.</param>
    protected Optimizer(IEnumerable<Parameter> parameters, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = parameters.ToArray();
        if (_parameters.Length == 0)
        {
            throw new ArgumentException("parameters: expected at least one parameter, got none.", nameof(parameters));
        }

        for (int i = 0; i < _parameters.Length; i++)
        {
            if (_parameters[i] is null)
            {
                throw new ArgumentException($"parameters: expected parameters, got null at index {i}.", nameof(parameters));
            }

            if (Array.IndexOf(_parameters, _parameters[i]) != i)
            {
                throw new ArgumentException($"parameters: '{_parameters[i].Name}' at index {i} is listed twice.", nameof(parameters));
            }
        }

        LearningRate = learningRate;
    }

    /// <summary>The parameters this optimizer updates.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>The step size; may be changed between steps (for a schedule).</summary>
    public float LearningRate
    {
        get;
        set
        {
            if (!(value >= 0f && float.IsFinite(value)))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "LearningRate: expected a finite value >= 0.");
            }

            field = value;
        }
    }

    /// <summary>Number of <see cref="Step"/> calls so far.</summary>
    public long StepCount { get; protected set; }

    /// <summary>Updates every parameter from its current gradient.</summary>
    public abstract void Step();

    /// <summary>The optimizer's type and hyper-parameters, e.g. <c>{"type": "adam", "lr": 0.001, ...}</c>; see <see cref="OptimizerFactory"/>.</summary>
    public abstract JsonObject GetConfig();

    /// <summary>A copy of the step count and every buffer, for a checkpoint; <see cref="LoadState"/> restores it exactly.</summary>
    /// <exception cref="InvalidOperationException">Two parameters share a name, so their buffers cannot be told apart.</exception>
    public OptimizerState GetState()
    {
        CheckUniqueNames();
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, buffers) in _state)
        {
            for (int p = 0; p < _parameters.Length; p++)
            {
                tensors.Add(StateName(p, name), Tensor.FromValues(buffers[p], [.. _parameters[p].Value.Shape]));
            }
        }

        return new OptimizerState(StepCount, tensors);
    }

    /// <summary>
    /// Restores a state from <see cref="GetState"/> (of an optimizer of the same type and configuration over
    /// parameters of the same names and shapes), so that the next steps are those of an uninterrupted run, bit for bit.
    /// Nothing changes unless every check passes.
    /// </summary>
    /// <exception cref="ArgumentException">A missing or unexpected name, a shape mismatch, or a negative step count.</exception>
    public void LoadState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(state.Tensors, nameof(state));
        CheckUniqueNames();
        if (state.StepCount < 0)
        {
            throw new ArgumentException($"state: expected a step count >= 0, got {state.StepCount}.", nameof(state));
        }

        var expected = new HashSet<string>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var (name, _) in _state)
        {
            for (int p = 0; p < _parameters.Length; p++)
            {
                string key = StateName(p, name);
                expected.Add(key);
                if (!state.Tensors.TryGetValue(key, out var t))
                {
                    missing.Add(key);
                }
                else if (!t.Shape.SequenceEqual(_parameters[p].Value.Shape))
                {
                    throw new ArgumentException(
                        $"state: '{key}' expected shape {_parameters[p].Value.ShapeText} (the shape of its parameter), got {t.ShapeText}.", nameof(state));
                }
            }
        }

        var unexpected = state.Tensors.Keys.Where(k => !expected.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
        {
            throw new ArgumentException(
                $"state: does not match {GetType().Name}: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}].",
                nameof(state));
        }

        foreach (var (name, buffers) in _state)
        {
            for (int p = 0; p < _parameters.Length; p++)
            {
                state.Tensors[StateName(p, name)].Span.CopyTo(buffers[p]);
            }
        }

        StepCount = state.StepCount;
    }

    /// <summary>Sets every gradient to zero (backward passes add into them).</summary>
    public void ZeroGrad()
    {
        foreach (var p in _parameters)
        {
            p.Grad.Span.Clear();
        }
    }

    /// <summary>
    /// Declares a zero-initialised buffer per parameter (its shape) that <see cref="GetState"/> exports as
    /// <c>"{parameter name}.{name}"</c>; call from the constructor.
    /// </summary>
    protected float[][] AddState(string name)
    {
        var buffers = _parameters.Select(p => new float[p.Value.Length]).ToArray();
        _state.Add((name, buffers));
        return buffers;
    }

    /// <summary>Returns <paramref name="value"/>, or throws unless it is finite and >= 0.</summary>
    protected static float NonNegative(float value, string name) =>
        value >= 0f && float.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name}: expected a finite value >= 0.");

    /// <summary>Returns <paramref name="value"/>, or throws unless it is in [0, 1) (or [0, 1] with <paramref name="includeOne"/>).</summary>
    protected static float Fraction(float value, string name, bool includeOne = false) =>
        value >= 0f && (value < 1f || (includeOne && value == 1f))
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name}: expected a value in [0, 1{(includeOne ? "]" : ")")}.");

    private string StateName(int p, string buffer) => $"{_parameters[p].Name}.{buffer}";

    private void CheckUniqueNames()
    {
        var duplicate = _parameters.GroupBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException(
                $"Two parameters are named '{duplicate.Key}': optimizer state is saved by parameter name, so names must be unique (use a model's parameters, which are prefixed).");
        }
    }
}
