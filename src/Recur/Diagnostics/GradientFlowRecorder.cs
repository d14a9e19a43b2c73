using System.Globalization;
using System.Text;
using Recur.Optimizers;

namespace Recur.Diagnostics;

/// <summary>
/// Records how gradients flow through time: attach it to a recurrent layer (<c>layer.Diagnostics = flow</c>) or to
/// every recurrent layer of a model (<c>model.Diagnostics = flow</c>). After each backward pass it holds one
/// <see cref="RecurrentTrace"/> per stacked layer and direction (‖∂L/∂h_t‖, ‖∂L/∂c_t‖, gate means and saturation per
/// step); during <see cref="Models.Model.Fit"/> it also keeps one <see cref="OptimizerStepRecord"/> per step.
/// </summary>
/// <remarks>
/// Detached (the default, null) it costs a null check per time step. Attached, the per-step traces reuse their
/// buffers, so a steady-state backward allocates nothing; only <see cref="OptimizerSteps"/> grows, by one record per
/// optimizer step. Recording reads the gradients and never changes them: training is bit-identical with or without it.
/// </remarks>
public sealed class GradientFlowRecorder
{
    private readonly List<RecurrentTrace> _traces = [];
    private readonly List<OptimizerStepRecord> _steps = [];

    /// <summary>One trace per attached (layer, direction), in the order they were attached.</summary>
    public IReadOnlyList<RecurrentTrace> Traces => _traces;

    /// <summary>The optimizer steps of <see cref="Models.Model.Fit"/> recorded so far.</summary>
    public IReadOnlyList<OptimizerStepRecord> OptimizerSteps => _steps;

    /// <summary>The trace of stacked layer <paramref name="layer"/> and <paramref name="direction"/> (0 forward, 1 reverse).</summary>
    public RecurrentTrace Trace(int layer, int direction = 0) =>
        _traces.Find(t => t.Layer == layer && t.Direction == direction)
        ?? throw new KeyNotFoundException($"No trace for layer {layer}, direction {direction}: attach the recorder to that layer first.");

    /// <summary>Forgets the recorded optimizer steps (the traces keep their last values).</summary>
    public void ClearOptimizerSteps() => _steps.Clear();

    /// <summary>
    /// The records as CSV in long format, one value a line: <c>step,layer,direction,t,quantity,value</c>. Optimizer
    /// steps give <c>grad_norm_before</c>, <c>grad_norm_after</c> and <c>clipped</c> (0 or 1) with empty layer,
    /// direction and t; each trace gives, for its last backward, <c>dh_norm</c>, <c>dc_norm</c> (LSTM),
    /// <c>gate_mean_NAME</c> and <c>gate_saturated_NAME</c> per step t.
    /// </summary>
    public string ToCsv()
    {
        var csv = new StringBuilder("step,layer,direction,t,quantity,value\n");
        foreach (var s in _steps)
        {
            AppendRow(csv, s.Step, null, "grad_norm_before", s.NormBefore);
            AppendRow(csv, s.Step, null, "grad_norm_after", s.NormAfter);
            AppendRow(csv, s.Step, null, "clipped", s.Clipped ? 1f : 0f);
        }

        foreach (var trace in _traces)
        {
            for (int t = 0; t < trace.Steps; t++)
            {
                AppendRow(csv, trace.OptimizerStep, (trace, t), "dh_norm", trace.HiddenGradientNorm[t]);
                if (trace.HasCellState)
                {
                    AppendRow(csv, trace.OptimizerStep, (trace, t), "dc_norm", trace.CellGradientNorm[t]);
                }

                for (int g = 0; g < trace.GateNames.Count; g++)
                {
                    AppendRow(csv, trace.OptimizerStep, (trace, t), "gate_mean_" + trace.GateNames[g], trace.GateMean(g)[t]);
                    AppendRow(csv, trace.OptimizerStep, (trace, t), "gate_saturated_" + trace.GateNames[g], trace.GateSaturation(g)[t]);
                }
            }
        }

        return csv.ToString();
    }

    /// <summary>The trace for (layer, direction), created on first use: attaching the same recorder again reuses it.</summary>
    internal RecurrentTrace GetOrAdd(int layer, int direction, string? layerName, IReadOnlyList<string> gateNames, bool hasCellState)
    {
        var trace = _traces.Find(t => t.Layer == layer && t.Direction == direction);
        if (trace is null)
        {
            trace = new RecurrentTrace(this, layer, direction, layerName, gateNames, hasCellState);
            _traces.Add(trace);
        }

        return trace;
    }

    /// <summary>Records an optimizer step from what clipping reported (null: that clipping is not configured).</summary>
    internal void RecordOptimizerStep(ClipResult? byValue, ClipResult? byNorm, IReadOnlyList<Modules.Parameter> parameters)
    {
        float before = byValue?.NormBefore ?? byNorm?.NormBefore ?? GradientClipping.GlobalNorm(parameters);
        float after = byNorm?.NormAfter ?? byValue?.NormAfter ?? before;
        bool clipped = byValue?.Clipped == true || byNorm?.Clipped == true;
        _steps.Add(new OptimizerStepRecord(_steps.Count, before, after, clipped));
    }

    private static void AppendRow(StringBuilder csv, int step, (RecurrentTrace Trace, int T)? at, string quantity, float value)
    {
        var inv = CultureInfo.InvariantCulture;
        csv.Append(step.ToString(inv)).Append(',');
        if (at is { } a)
        {
            csv.Append(a.Trace.Layer.ToString(inv)).Append(',').Append(a.Trace.Direction.ToString(inv)).Append(',').Append(a.T.ToString(inv));
        }
        else
        {
            csv.Append(",,");
        }

        csv.Append(',').Append(quantity).Append(',').Append(value.ToString("R", inv)).Append('\n');
    }
}
