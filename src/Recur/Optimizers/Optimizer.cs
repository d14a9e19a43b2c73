using Recur.Modules;

namespace Recur.Optimizers;

/// <summary>
/// Updates a fixed list of parameters from their gradients, as <c>torch.optim.Optimizer</c>: subclasses only add
/// <see cref="Step"/> and the per-parameter state it keeps.
/// </summary>
public abstract class Optimizer
{
    private readonly Parameter[] _parameters;

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

    /// <summary>Sets every gradient to zero (backward passes add into them).</summary>
    public void ZeroGrad()
    {
        foreach (var p in _parameters)
        {
            p.Grad.Span.Clear();
        }
    }
}
