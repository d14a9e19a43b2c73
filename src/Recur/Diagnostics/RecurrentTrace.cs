namespace Recur.Diagnostics;

/// <summary>
/// What one direction of one recurrent layer saw during its last backward pass, per time step t (0 .. T-1, in
/// sequence order whatever the direction). Buffers are reused: the values are overwritten by the next backward.
/// </summary>
/// <remarks>
/// <para><b>Gradient norms.</b> <see cref="HiddenGradientNorm"/>[t] is ‖∂L/∂h_t‖, where ∂L/∂h_t is the total gradient
/// reaching h_t: from the output at t plus from the next processed step (t+1, or t-1 in the reverse direction), plus
/// ∂L/∂h_n at the last processed step. For the LSTM it is the partial derivative with c_t held fixed, as BPTT
/// carries it. <see cref="CellGradientNorm"/>[t] is ‖∂L/∂c_t‖ (LSTM only): from the next step plus through
/// h_t = o_t ⊙ tanh(c_t). Both are read at the start of backward step t, where they are complete.</para>
/// <para>Each norm is the Frobenius norm of the (B, H) block, √(Σ_b Σ_j g²), accumulated in double. In a padded
/// batch, a row past its length has no output there: only the gradient of its carried state counts.</para>
/// <para><b>Gates</b> (from the forward caches): the sigmoid gates only, LSTM input|forget|output, GRU reset|update
/// (tanh's g and n are not gates); the RNN has none. <see cref="GateMean"/> is the mean over the valid batch rows and
/// the H units; <see cref="GateSaturation"/> the fraction of those values below 0.05 or above 0.95.</para>
/// </remarks>
public sealed class RecurrentTrace
{
    /// <summary>A gate value below this or above 1 minus this counts as saturated.</summary>
    public const float SaturationMargin = 0.05f;

    private readonly GradientFlowRecorder _recorder;
    private float[] _hidden = [], _cell = [], _gateMean = [], _gateSaturation = []; // (T), (T), (gates, T), (gates, T)

    internal RecurrentTrace(GradientFlowRecorder recorder, int layer, int direction, string? layerName, IReadOnlyList<string> gateNames, bool hasCellState)
    {
        _recorder = recorder;
        Layer = layer;
        Direction = direction;
        LayerName = layerName;
        GateNames = gateNames;
        HasCellState = hasCellState;
    }

    /// <summary>Index of the stacked layer: 0 .. L-1 in a layer; in a model, counted across its recurrent layers in order.</summary>
    public int Layer { get; }

    /// <summary>0 forward, 1 reverse.</summary>
    public int Direction { get; }

    /// <summary>The name of the recurrent layer in its model, if it has one.</summary>
    public string? LayerName { get; }

    /// <summary>Names of the recorded gates, in the order of <see cref="GateMean"/>'s index.</summary>
    public IReadOnlyList<string> GateNames { get; }

    /// <summary>Whether <see cref="CellGradientNorm"/> is recorded (LSTM).</summary>
    public bool HasCellState { get; }

    /// <summary>T of the last recorded backward; 0 before the first.</summary>
    public int Steps { get; private set; }

    /// <summary>
    /// Index of the optimizer step the last backward fed: <see cref="GradientFlowRecorder.OptimizerSteps"/>'s count
    /// when it ran.
    /// </summary>
    public int OptimizerStep { get; private set; }

    /// <summary>(T): ‖∂L/∂h_t‖, Frobenius over (B, H).</summary>
    public ArraySegment<float> HiddenGradientNorm => new(_hidden, 0, Steps);

    /// <summary>(T): ‖∂L/∂c_t‖, Frobenius over (B, H); empty unless <see cref="HasCellState"/>.</summary>
    public ArraySegment<float> CellGradientNorm => new(_cell, 0, HasCellState ? Steps : 0);

    /// <summary>(T): the mean value of gate <paramref name="gate"/> (an index into <see cref="GateNames"/>) at each step.</summary>
    public ArraySegment<float> GateMean(int gate) => GateRow(_gateMean, gate);

    /// <summary>(T): the fraction of gate <paramref name="gate"/>'s values below 0.05 or above 0.95 at each step.</summary>
    public ArraySegment<float> GateSaturation(int gate) => GateRow(_gateSaturation, gate);

    /// <summary>Sizes the buffers for a backward over T steps (they only grow).</summary>
    internal void Begin(int steps)
    {
        Steps = steps;
        OptimizerStep = _recorder.OptimizerSteps.Count;
        int gates = GateNames.Count;
        if (_hidden.Length < steps)
        {
            _hidden = new float[steps];
            _cell = HasCellState ? new float[steps] : [];
            _gateMean = new float[gates * steps];
            _gateSaturation = new float[gates * steps];
        }
    }

    internal void SetHidden(int t, double norm) => _hidden[t] = (float)norm;

    internal void SetCell(int t, double norm) => _cell[t] = (float)norm;

    internal void SetGate(int gate, int t, float mean, float saturated)
    {
        _gateMean[gate * Steps + t] = mean;
        _gateSaturation[gate * Steps + t] = saturated;
    }

    private ArraySegment<float> GateRow(float[] values, int gate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(gate);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(gate, GateNames.Count);
        return new ArraySegment<float>(values, gate * Steps, Steps);
    }
}
