using Recur.Diagnostics;
using Recur.Layers;

namespace Recur.Models;

// Gradient-flow diagnostics for a whole model.
public partial class Model
{
    private GradientFlowRecorder? _diagnostics;

    /// <summary>
    /// Records the gradient flow of every recurrent layer (their stacked layers numbered in model order across all
    /// of them) and, in <see cref="Fit"/>, the global gradient norm of each optimizer step; null, the default,
    /// records nothing. See <see cref="GradientFlowRecorder"/>.
    /// </summary>
    public GradientFlowRecorder? Diagnostics
    {
        get => _diagnostics;
        set
        {
            _diagnostics = value;
            int firstLayer = 0;
            foreach (var layer in Layers.OfType<RecurrentLayer>())
            {
                layer.AttachDiagnostics(value, firstLayer);
                firstLayer += layer.NumLayers;
            }
        }
    }
}
