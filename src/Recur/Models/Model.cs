using System.Globalization;
using System.Text;
using Recur.Modules;
using Recur.Tensors;

namespace Recur.Models;

/// <summary>
/// A model built with the functional API: a directed acyclic graph of layers from <see cref="Input"/>s to outputs
/// (Keras' <c>Model(inputs, outputs)</c>). Runs forward in topological order and backward in reverse, summing the
/// gradients of values that feed several layers. Parameters are named "{layer}.{parameter}", as in a PyTorch
/// module's state_dict.
/// </summary>
public partial class Model : Module
{
    private readonly Node[] _nodes;            // topological order, inputs excluded
    private readonly Input[] _inputs;
    private readonly Symbol[] _outputs;
    private readonly Dictionary<Symbol, int> _slotOf = new();
    private readonly LayerValue[] _values;      // per slot, this pass
    private readonly Tensor?[] _grads;          // per slot, this backward pass
    private readonly bool[] _gradOwned;         // whether _grads[slot] is the model's own sum buffer
    private readonly Tensor?[] _gradBuffers;    // per slot, reused sum buffers
    private readonly LayerValue[][] _nodeInputs, _nodeOutputs;
    private readonly Tensor?[][] _nodeOutputGrads, _nodeInputGrads;
    private readonly Parameter[] _parameters;
    private readonly LayerValue[] _results;

    /// <summary>Builds the model that computes <paramref name="outputs"/> from <paramref name="inputs"/>.</summary>
    public Model(IReadOnlyList<Symbol> inputs, IReadOnlyList<Symbol> outputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        if (inputs.Count == 0 || outputs.Count == 0)
        {
            throw new ArgumentException("A model needs at least one input and one output.", nameof(inputs));
        }

        _inputs = inputs.Select(s => s.Producer.Layer as Input
            ?? throw new ArgumentException($"inputs: expected symbols made by Input, got an output of {s.Producer.Layer.GetType().Name}.", nameof(inputs))).ToArray();
        _outputs = outputs.ToArray();

        // Every node the outputs depend on, each after its inputs (depth-first post-order).
        var order = new List<Node>();
        var state = new Dictionary<Node, bool>(); // false: visiting, true: done
        foreach (var o in _outputs)
        {
            Visit(o.Producer, order, state);
        }

        foreach (var n in order.Where(n => n.Layer is Input input && !_inputs.Contains(input)))
        {
            throw new ArgumentException("outputs: they depend on an Input that is not among the model's inputs.", nameof(outputs));
        }

        _nodes = order.Where(n => n.Layer is not Input).ToArray();
        NameLayers(order);
        Layers = order.Select(n => n.Layer).ToArray();

        foreach (var input in _inputs)
        {
            _slotOf[input.Symbol] = _slotOf.Count;
        }

        foreach (var n in _nodes)
        {
            foreach (var s in n.Outputs)
            {
                _slotOf[s] = _slotOf.Count;
            }
        }

        _values = new LayerValue[_slotOf.Count];
        _grads = new Tensor?[_slotOf.Count];
        _gradOwned = new bool[_slotOf.Count];
        _gradBuffers = new Tensor?[_slotOf.Count];
        _nodeInputs = _nodes.Select(n => new LayerValue[n.Inputs.Length]).ToArray();
        _nodeOutputs = _nodes.Select(n => new LayerValue[n.Outputs.Length]).ToArray();
        _nodeInputGrads = _nodes.Select(n => new Tensor?[n.Inputs.Length]).ToArray();
        _nodeOutputGrads = _nodes.Select(n => new Tensor?[n.Outputs.Length]).ToArray();
        _results = new LayerValue[_outputs.Length];
        _parameters = Layers.SelectMany(l => l.Parameters.Select(p => new Parameter($"{l.Name}.{p.Name}", p))).ToArray();
    }

    /// <summary>Every layer, inputs first, in the order they run.</summary>
    public IReadOnlyList<Layer> Layers { get; }

    /// <summary>The symbols of the model's inputs, in order.</summary>
    public IReadOnlyList<Symbol> InputSymbols => _inputs.Select(i => i.Symbol).ToArray();

    /// <summary>The symbols of the model's outputs, in order.</summary>
    public IReadOnlyList<Symbol> OutputSymbols => _outputs;

    /// <summary>Per-sample shapes of the model's inputs.</summary>
    public IReadOnlyList<int[]> InputShapes => _inputs.Select(i => i.Shape.ToArray()).ToArray();

    /// <summary>Per-sample shapes of the model's outputs.</summary>
    public IReadOnlyList<int[]> OutputShapes => _outputs.Select(o => o.Shape).ToArray();

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => _parameters;

    /// <inheritdoc />
    public override bool Training
    {
        get => base.Training;
        set
        {
            base.Training = value;
            foreach (var l in Layers)
            {
                l.Training = value;
            }
        }
    }

    /// <summary>Clears the states that stateful recurrent layers carry from batch to batch.</summary>
    public void ResetStates()
    {
        foreach (var layer in Layers.OfType<Layers.RecurrentLayer>())
        {
            layer.ResetStates();
        }
    }

    /// <summary>The layer called <paramref name="name"/>.</summary>
    public Layer GetLayer(string name) =>
        Layers.FirstOrDefault(l => l.Name == name)
        ?? throw new KeyNotFoundException($"The model has no layer '{name}'. Its layers are: {string.Join(", ", Layers.Select(l => l.Name))}.");

    /// <summary>
    /// Runs the model on one batch: one value per model input, batch-first. Returns the outputs, views valid until the
    /// next call.
    /// </summary>
    public ReadOnlySpan<LayerValue> Forward(params ReadOnlySpan<LayerValue> inputs)
    {
        if (inputs.Length != _inputs.Length)
        {
            throw new ArgumentException($"inputs: expected {_inputs.Length} input(s), got {inputs.Length}.", nameof(inputs));
        }

        for (int i = 0; i < inputs.Length; i++)
        {
            var t = inputs[i].Data ?? throw new ArgumentNullException(nameof(inputs), $"inputs[{i}] has no data.");
            if (!_inputs[i].Accepts(t))
            {
                throw new ArgumentException(
                    $"inputs[{i}] ('{_inputs[i].Name}'): expected shape (B{string.Concat(_inputs[i].Shape.ToArray().Select(d => ", " + (d < 0 ? "T" : d.ToString(CultureInfo.InvariantCulture))))}) with B >= 1, got {t.ShapeText}.",
                    nameof(inputs));
            }

            Check.Finite(t, nameof(inputs));
            _values[i] = inputs[i];
        }

        for (int n = 0; n < _nodes.Length; n++)
        {
            var node = _nodes[n];
            var ins = _nodeInputs[n];
            for (int i = 0; i < ins.Length; i++)
            {
                ins[i] = _values[_slotOf[node.Inputs[i]]];
            }

            var outs = _nodeOutputs[n];
            node.Layer.Forward(ins, outs);
            for (int o = 0; o < outs.Length; o++)
            {
                _values[_slotOf[node.Outputs[o]]] = outs[o];
            }
        }

        for (int o = 0; o < _outputs.Length; o++)
        {
            _results[o] = _values[_slotOf[_outputs[o]]];
        }

        return _results;
    }

    /// <summary>
    /// Backpropagates the last <see cref="Forward"/> from ∂L/∂output (one per model output; null where the loss does
    /// not use it), adding into every parameter's gradient.
    /// </summary>
    public void Backward(params ReadOnlySpan<Tensor?> outputGradients)
    {
        if (outputGradients.Length != _outputs.Length)
        {
            throw new ArgumentException($"outputGradients: expected {_outputs.Length} gradient(s), got {outputGradients.Length}.", nameof(outputGradients));
        }

        Array.Clear(_grads);
        Array.Clear(_gradOwned);
        for (int o = 0; o < _outputs.Length; o++)
        {
            var g = outputGradients[o];
            if (g is not null && !g.Shape.SequenceEqual(_results[o].Data.Shape))
            {
                throw new ArgumentException($"outputGradients[{o}]: expected shape {_results[o].Data.ShapeText} (the output's), got {g.ShapeText}.", nameof(outputGradients));
            }

            AddGradient(_slotOf[_outputs[o]], g);
        }

        for (int n = _nodes.Length - 1; n >= 0; n--)
        {
            var node = _nodes[n];
            var outGrads = _nodeOutputGrads[n];
            bool any = false;
            for (int o = 0; o < outGrads.Length; o++)
            {
                outGrads[o] = _grads[_slotOf[node.Outputs[o]]];
                any |= outGrads[o] is not null;
            }

            if (!any)
            {
                continue; // nothing downstream of this node reaches the loss
            }

            var inGrads = _nodeInputGrads[n];
            Array.Clear(inGrads);
            node.Layer.Backward(outGrads, inGrads);
            for (int i = 0; i < inGrads.Length; i++)
            {
                AddGradient(_slotOf[node.Inputs[i]], inGrads[i]);
            }
        }
    }

    /// <summary>A Keras-style table: each layer, its output shape(s) and parameter count, then the totals.</summary>
    public string Summary()
    {
        var rows = Layers.Select(l => (
            Name: $"{l.Name} ({l.GetType().Name})",
            Shape: string.Join(", ", (l.Node?.Outputs ?? []).Select(s => s.ShapeText)),
            Params: l.ParameterCount.ToString("N0", CultureInfo.InvariantCulture))).ToList();
        int w1 = Math.Max(20, rows.Max(r => r.Name.Length) + 2), w2 = Math.Max(16, rows.Max(r => r.Shape.Length) + 2);
        var sb = new StringBuilder();
        string rule = new('─', w1 + w2 + 12);
        sb.AppendLine(rule);
        sb.AppendLine("Layer (type)".PadRight(w1) + "Output shape".PadRight(w2) + "Param #".PadLeft(12));
        sb.AppendLine(rule);
        foreach (var r in rows)
        {
            sb.AppendLine(r.Name.PadRight(w1) + r.Shape.PadRight(w2) + r.Params.PadLeft(12));
        }

        sb.AppendLine(rule);
        sb.AppendLine(CultureInfo.InvariantCulture, $"Total params: {ParameterCount:N0}");
        return sb.ToString();
    }

    private void AddGradient(int slot, Tensor? g)
    {
        if (g is null)
        {
            return;
        }

        if (_grads[slot] is null)
        {
            _grads[slot] = g; // a view owned by the layer that produced it, valid for this pass
            return;
        }

        // A value that feeds several layers: its gradient is the sum, kept in a buffer the model owns.
        if (!_gradOwned[slot])
        {
            var first = _grads[slot]!;
            var buffer = _gradBuffers[slot];
            if (buffer is null || !buffer.Shape.SequenceEqual(first.Shape))
            {
                buffer = _gradBuffers[slot] = new Tensor(first.Shape.ToArray());
            }

            first.Span.CopyTo(buffer.Span);
            _grads[slot] = buffer;
            _gradOwned[slot] = true;
        }

        System.Numerics.Tensors.TensorPrimitives.Add(_grads[slot]!.Span, g.Span, _grads[slot]!.Span);
    }

    private static void Visit(Node node, List<Node> order, Dictionary<Node, bool> state)
    {
        if (state.TryGetValue(node, out bool done))
        {
            if (!done)
            {
                throw new ArgumentException("The layer graph has a cycle.");
            }

            return;
        }

        state[node] = false;
        foreach (var input in node.Inputs)
        {
            Visit(input.Producer, order, state);
        }

        state[node] = true;
        order.Add(node);
    }

    private static void NameLayers(List<Node> order)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in order.Where(n => n.Layer.Name is not null))
        {
            if (!used.Add(n.Layer.Name!))
            {
                throw new ArgumentException($"Two layers are named '{n.Layer.Name}': layer names must be unique in a model.");
            }
        }

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var n in order.Where(n => n.Layer.Name is null))
        {
            string stem = n.Layer.DefaultName, name = stem;
            int k = counts.GetValueOrDefault(stem);
            while (!used.Add(name))
            {
                name = $"{stem}_{++k}";
            }

            counts[stem] = k;
            n.Layer.Name = name;
        }
    }
}
