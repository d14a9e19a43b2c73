using Recur.Cells;
using Recur.Diagnostics;

namespace Recur.Layers;

// Gradient-flow diagnostics: attaching a recorder gives each (layer, direction) cell a trace to fill during Backward.
public abstract partial class RecurrentLayer
{
    private GradientFlowRecorder? _diagnostics;

    /// <summary>
    /// Records the gradient flow of every backward pass (per stacked layer l = 0 .. L-1 and direction); null, the
    /// default, records nothing. See <see cref="GradientFlowRecorder"/>.
    /// </summary>
    public GradientFlowRecorder? Diagnostics
    {
        get => _diagnostics;
        set => AttachDiagnostics(value, firstLayer: 0);
    }

    /// <summary>Attaches <paramref name="recorder"/> (or detaches, when null) with stacked layer l traced as firstLayer + l.</summary>
    internal void AttachDiagnostics(GradientFlowRecorder? recorder, int firstLayer)
    {
        _diagnostics = recorder;
        DiagnosticsFirstLayer = firstLayer;
        for (int index = 0; index < _cells.Length; index++)
        {
            var cell = _cells[index];
            int l = index / Directions, d = index % Directions;
            cell.Trace = recorder?.GetOrAdd(firstLayer + l, d, Name, cell.TracedGateNames, cell.HasCellState);
        }
    }

    /// <summary>The trace index of stacked layer 0 under the attached recorder (non-zero inside a model).</summary>
    internal int DiagnosticsFirstLayer { get; private set; }

    /// <summary>The cell of stacked layer <paramref name="layer"/> and <paramref name="direction"/>.</summary>
    internal RecurrentCell Cell(int layer, int direction) => _cells[layer * Directions + direction];
}
