using Recur.Cells;
using Recur.Kernels;
using Recur.Models;
using Recur.Modules;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// A multi-layer, optionally bidirectional recurrent network with PyTorch's semantics (<c>torch.nn.RNN</c>,
/// <c>LSTM</c>, <c>GRU</c>): same constructor arguments, parameter names and shapes, gate order, initialisation and
/// results. <see cref="Backward(Tensor, RecurrentState?)"/> is exact backpropagation through time.
/// </summary>
/// <remarks>
/// <para>Shapes (B batch, T steps, I input features, H hidden units, L layers, D = 2 if bidirectional else 1):</para>
/// <list type="table">
/// <item><term>input</term><description>(T, B, I), or (B, T, I) with <c>batchFirst</c></description></item>
/// <item><term>h_0, c_0, h_n, c_n</term><description>(L·D, B, H), never batch-first (as in PyTorch)</description></item>
/// <item><term>output</term><description>(T, B, D·H), or (B, T, D·H); the reverse direction in columns H..2H-1</description></item>
/// </list>
/// <para>Layer l &gt; 0 takes layer l-1's output, with dropout between layers in training mode. Outputs and
/// gradients are views of buffers the layer owns and reuses, so a steady-state training step allocates nothing.</para>
/// </remarks>
public abstract partial class RecurrentLayer : Layer
{
    private readonly RecurrentCell[] _cells; // [l·D + d]
    private readonly Parameter[] _parameters;
    private readonly Rng _dropoutRng;
    private readonly RecurrentOutput _result = new();
    private readonly RecurrentGradients _gradients = new();

    // Per-layer buffers, grown on demand and reused.
    private readonly float[][] _outputs;      // [l]: (T, B, D·H) hidden sequence of layer l
    private readonly float[][] _masks;        // [l]: (T, B, D·H) dropout mask applied to layer l-1's output
    private readonly float[][] _dropped;      // [l]: (T, B, D·H) masked input of layer l
    private readonly float[][] _inputGrads;   // [l]: (T, B, in_l) ∂L/∂(input of layer l)
    private float[] _input = [];              // (T, B, I) time-major copy of the input
    private float[] _batchFirst = [];         // (B, T, D·H) output, batch-first
    private float[] _maskedOutput = [];       // (T, B, D·H) output with padded steps zeroed
    private int[] _lengths = [];              // (B) valid lengths of the last Forward
    private float[] _outputGradTimeMajor = [];// (T, B, D·H)
    private float[] _inputGradBatchFirst = [];// (B, T, I)
    private float[] _hn = [], _cn = [], _dh0 = [], _dc0 = []; // (L·D, B, H)
    private Tensor? _outputView, _hnView, _cnView, _dInputView, _dh0View, _dc0View;
    private RecurrentState? _finalState, _initialStateGrad;

    private int _steps, _batch;   // of the last Forward; 0 before the first
    private bool _dropoutApplied; // whether the last Forward used dropout masks
    private bool _batchFirstCall; // whether the last Forward's input and output were batch-first

    private protected RecurrentLayer(
        int inputSize, int hiddenSize, int numLayers, bool bias, bool batchFirst, float dropout, bool bidirectional,
        ulong seed, Func<int, string, RecurrentCell> createCell)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(numLayers, 1);
        if (!(dropout >= 0f && dropout < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "dropout: expected a probability in [0, 1).");
        }

        InputSize = inputSize;
        HiddenSize = hiddenSize;
        NumLayers = numLayers;
        Bias = bias;
        BatchFirst = batchFirst;
        Dropout = dropout;
        Bidirectional = bidirectional;

        int directions = Directions;
        _cells = new RecurrentCell[numLayers * directions];
        for (int l = 0; l < numLayers; l++)
        {
            for (int d = 0; d < directions; d++)
            {
                string suffix = $"_l{l}" + (d == 1 ? "_reverse" : "");
                _cells[l * directions + d] = createCell(l == 0 ? inputSize : directions * hiddenSize, suffix);
            }
        }

        _parameters = _cells.SelectMany(c => c.Parameters).ToArray();
        _outputs = new float[numLayers][];
        _masks = new float[numLayers][];
        _dropped = new float[numLayers][];
        _inputGrads = new float[numLayers][];
        for (int l = 0; l < numLayers; l++)
        {
            _outputs[l] = _masks[l] = _dropped[l] = _inputGrads[l] = [];
        }

        var rng = new Rng(seed);
        _dropoutRng = new Rng(rng.NextUInt64());
        ResetParameters(rng);
    }

    /// <summary>I: features per input step.</summary>
    public int InputSize { get; }

    /// <summary>H: hidden units per direction.</summary>
    public int HiddenSize { get; }

    /// <summary>L: stacked layers.</summary>
    public int NumLayers { get; }

    /// <summary>Whether the layers have the biases b_ih and b_hh.</summary>
    public bool Bias { get; }

    /// <summary>Whether input and output are (B, T, ·) instead of (T, B, ·).</summary>
    public bool BatchFirst { get; }

    /// <summary>Probability of zeroing each output of a layer (but the last) before the next, in training mode.</summary>
    public float Dropout { get; }

    /// <summary>Whether each layer also runs from the last step to the first.</summary>
    public bool Bidirectional { get; }

    /// <summary>D: 2 when bidirectional, else 1.</summary>
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>Whether the state includes a cell state c (LSTM).</summary>
    public bool HasCellState => _cells[0].HasCellState;

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>PyTorch's default initialisation: every weight and bias uniform in [-1/√H, 1/√H).</summary>
    public void ResetParameters(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        float k = 1f / MathF.Sqrt(HiddenSize);
        foreach (var p in _parameters)
        {
            rng.FillUniform(p.Value.Span, -k, k);
        }
    }

    /// <summary>
    /// Runs the network over a batch of sequences and keeps what <see cref="Backward(Tensor, RecurrentState?)"/> needs.
    /// </summary>
    /// <param name="input">(T, B, I), or (B, T, I) when batch-first; T and B at least 1; finite values.</param>
    /// <param name="initialState">h_0 (and c_0 for the LSTM), (L·D, B, H); null for zeros.</param>
    /// <param name="lengths">
    /// For a padded batch of variable-length sequences, the (B) valid lengths in 1..T (empty: all are T). Each
    /// sequence then gives exactly the outputs, final state and gradients it gives alone (like PyTorch's packed
    /// sequences): steps past its length are skipped, its output there is zero, and h_n is its state after its last
    /// valid step.
    /// </param>
    /// <returns>The output sequence and final states; views valid until the next Forward.</returns>
    public RecurrentOutput Forward(Tensor input, RecurrentState? initialState = null, ReadOnlySpan<int> lengths = default)
    {
        var (steps, batch) = CheckInput(input, BatchFirst);
        CheckState(initialState, batch, nameof(initialState));
        return ForwardCore(input, BatchFirst, steps, batch, initialState, CheckLengths(lengths, steps, batch));
    }

    /// <summary>
    /// Forward with a batch-first input (B, T, I) whatever <see cref="BatchFirst"/> says, for decoding loops that
    /// drive a model's layer step by step.
    /// </summary>
    internal RecurrentOutput ForwardBatchFirst(Tensor input, RecurrentState? initialState)
    {
        var (steps, batch) = CheckInput(input, batchFirst: true);
        CheckState(initialState, batch, nameof(initialState));
        return ForwardCore(input, batchFirst: true, steps, batch, initialState, null);
    }

    private RecurrentOutput ForwardCore(Tensor input, bool batchFirst, int steps, int batch, RecurrentState? initialState, int[]? validLengths)
    {

        int directions = Directions, h = HiddenSize, dh = directions * h, rows = steps * batch;
        _steps = steps;
        _batch = batch;
        _dropoutApplied = Training && Dropout > 0f && NumLayers > 1;
        _batchFirstCall = batchFirst;

        _input = Grow(_input, rows * InputSize);
        if (batchFirst)
        {
            Elementwise.SwapLeadingAxes(input.Span, batch, steps, InputSize, _input);
        }
        else
        {
            input.Span.CopyTo(_input);
        }

        _hn = Grow(_hn, NumLayers * directions * batch * h);
        if (HasCellState)
        {
            _cn = Grow(_cn, _hn.Length);
        }

        for (int l = 0; l < NumLayers; l++)
        {
            float[] x = _input;
            if (l > 0)
            {
                x = _outputs[l - 1];
                if (_dropoutApplied)
                {
                    x = ApplyDropout(l, rows * dh);
                }
            }

            _outputs[l] = Grow(_outputs[l], rows * dh);
            for (int d = 0; d < directions; d++)
            {
                int index = l * directions + d;
                var cell = _cells[index];
                var stateSlice = (index * batch * h, batch * h);
                cell.Forward(
                    x, steps, batch,
                    initialState is null ? default : initialState.Hidden.Span.Slice(stateSlice.Item1, stateSlice.Item2),
                    initialState?.Cell is null ? default : initialState.Cell.Span.Slice(stateSlice.Item1, stateSlice.Item2),
                    _outputs[l], d * h, dh, reverse: d == 1, validLengths);

                // h_n: the state after the direction's last step (t = T-1 forward, t = 0 backward).
                int lastT = d == 1 ? 0 : steps - 1;
                for (int b = 0; b < batch; b++)
                {
                    _outputs[l].AsSpan((lastT * batch + b) * dh + d * h, h).CopyTo(_hn.AsSpan(stateSlice.Item1 + b * h, h));
                }

                if (HasCellState)
                {
                    cell.FinalCell.CopyTo(_cn.AsSpan(stateSlice.Item1, stateSlice.Item2));
                }
            }
        }

        float[] top = _outputs[NumLayers - 1];
        if (validLengths is not null)
        {
            // The hidden sequence holds carried states at padded steps; the output shows zeros there.
            _maskedOutput = Grow(_maskedOutput, rows * dh);
            top.AsSpan(0, rows * dh).CopyTo(_maskedOutput);
            for (int b = 0; b < batch; b++)
            {
                for (int t = validLengths[b]; t < steps; t++)
                {
                    _maskedOutput.AsSpan((t * batch + b) * dh, dh).Clear();
                }
            }

            top = _maskedOutput;
        }

        if (batchFirst)
        {
            _batchFirst = Grow(_batchFirst, rows * dh);
            Elementwise.SwapLeadingAxes(top, steps, batch, dh, _batchFirst);
            _result.Output = Tensor.ReuseView(ref _outputView, _batchFirst, 0, batch, steps, dh);
        }
        else
        {
            _result.Output = Tensor.ReuseView(ref _outputView, top, 0, steps, batch, dh);
        }

        int states = NumLayers * directions;
        var hn = Tensor.ReuseView(ref _hnView, _hn, 0, states, batch, h);
        var cn = HasCellState ? Tensor.ReuseView(ref _cnView, _cn, 0, states, batch, h) : null;
        if (_finalState is null || !ReferenceEquals(_finalState.Hidden, hn) || !ReferenceEquals(_finalState.Cell, cn))
        {
            _finalState = new RecurrentState(hn, cn);
        }

        _result.FinalState = _finalState;
        return _result;
    }

    /// <summary>
    /// Backpropagation through time for the last <see cref="Forward(Tensor, RecurrentState?, ReadOnlySpan{int})"/>: adds ∂L/∂θ into every parameter's
    /// gradient (call <see cref="Module.ZeroGrad"/> between steps) and returns ∂L/∂input and ∂L/∂(initial state).
    /// </summary>
    /// <param name="outputGradient">∂L/∂output, the shape of the last output.</param>
    /// <param name="finalStateGradient">∂L/∂h_n (and ∂L/∂c_n), (L·D, B, H); null when the loss does not use them.</param>
    public RecurrentGradients Backward(Tensor outputGradient, RecurrentState? finalStateGradient = null)
    {
        if (_steps == 0)
        {
            throw new InvalidOperationException("Backward needs a Forward first: there is no sequence to backpropagate through.");
        }

        int steps = _steps, batch = _batch, dh = Directions * HiddenSize;
        bool batchFirst = _batchFirstCall;
        Check.Shape(outputGradient, nameof(outputGradient), "(the shape of the last output)",
            batchFirst ? batch : steps, batchFirst ? steps : batch, dh);
        if (Node is null) // inside a model, the model checks its inputs and Fit its predictions
        {
            Check.Finite(outputGradient, nameof(outputGradient));
        }
        CheckState(finalStateGradient, batch, nameof(finalStateGradient));
        return BackwardCore(outputGradient, finalStateGradient);
    }

    private RecurrentGradients BackwardCore(Tensor outputGradient, RecurrentState? finalStateGradient)
    {
        int steps = _steps, batch = _batch, directions = Directions, h = HiddenSize, dh = directions * h, rows = steps * batch;
        bool batchFirst = _batchFirstCall;
        float[] dOut;
        int dOutOffset;
        if (batchFirst)
        {
            _outputGradTimeMajor = Grow(_outputGradTimeMajor, rows * dh);
            Elementwise.SwapLeadingAxes(outputGradient.Span, batch, steps, dh, _outputGradTimeMajor);
            (dOut, dOutOffset) = (_outputGradTimeMajor, 0);
        }
        else
        {
            (dOut, dOutOffset) = (outputGradient.Buffer, outputGradient.Offset);
        }

        _dh0 = Grow(_dh0, _hn.Length);
        if (HasCellState)
        {
            _dc0 = Grow(_dc0, _hn.Length);
        }

        for (int l = NumLayers - 1; l >= 0; l--)
        {
            int inSize = l == 0 ? InputSize : dh;
            _inputGrads[l] = Grow(_inputGrads[l], rows * inSize);
            var dx = _inputGrads[l].AsSpan(0, rows * inSize);
            for (int d = 0; d < directions; d++)
            {
                int index = l * directions + d;
                var stateSlice = (index * batch * h, batch * h);
                _cells[index].Backward(
                    dOut, dOutOffset + d * h, dh,
                    finalStateGradient is null ? default : finalStateGradient.Hidden.Span.Slice(stateSlice.Item1, stateSlice.Item2),
                    finalStateGradient?.Cell is null ? default : finalStateGradient.Cell.Span.Slice(stateSlice.Item1, stateSlice.Item2),
                    dx, accumulateDx: d > 0,
                    _dh0.AsSpan(stateSlice.Item1, stateSlice.Item2),
                    HasCellState ? _dc0.AsSpan(stateSlice.Item1, stateSlice.Item2) : default);
            }

            if (l > 0 && _dropoutApplied)
            {
                // input_l = mask ⊙ output_{l-1}
                System.Numerics.Tensors.TensorPrimitives.Multiply(dx, _masks[l].AsSpan(0, dx.Length), dx);
            }

            (dOut, dOutOffset) = (_inputGrads[l], 0);
        }

        if (batchFirst)
        {
            _inputGradBatchFirst = Grow(_inputGradBatchFirst, rows * InputSize);
            Elementwise.SwapLeadingAxes(_inputGrads[0], steps, batch, InputSize, _inputGradBatchFirst);
            _gradients.Input = Tensor.ReuseView(ref _dInputView, _inputGradBatchFirst, 0, batch, steps, InputSize);
        }
        else
        {
            _gradients.Input = Tensor.ReuseView(ref _dInputView, _inputGrads[0], 0, steps, batch, InputSize);
        }

        int states = NumLayers * directions;
        var dh0 = Tensor.ReuseView(ref _dh0View, _dh0, 0, states, batch, h);
        var dc0 = HasCellState ? Tensor.ReuseView(ref _dc0View, _dc0, 0, states, batch, h) : null;
        if (_initialStateGrad is null || !ReferenceEquals(_initialStateGrad.Hidden, dh0) || !ReferenceEquals(_initialStateGrad.Cell, dc0))
        {
            _initialStateGrad = new RecurrentState(dh0, dc0);
        }

        _gradients.InitialState = _initialStateGrad;
        return _gradients;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{GetType().Name}({InputSize}, {HiddenSize}, num_layers={NumLayers}, bias={Bias}, batch_first={BatchFirst}, dropout={Dropout}, bidirectional={Bidirectional})";

    private (int Steps, int Batch) CheckInput(Tensor input, bool batchFirst)
    {
        string layout = batchFirst ? "(B, T, I)" : "(T, B, I)";
        Check.Rank(input, 3, nameof(input), layout);
        int steps = input.Dim(batchFirst ? 1 : 0), batch = input.Dim(batchFirst ? 0 : 1);
        if (input.Dim(2) != InputSize || steps < 1 || batch < 1)
        {
            throw new ArgumentException(
                $"input: expected shape {layout} with I = {InputSize} and T, B >= 1, got {input.ShapeText}.", nameof(input));
        }

        if (Node is null)
        {
            Check.Finite(input, nameof(input));
        }
        return (steps, batch);
    }

    /// <summary>Validates and copies the lengths; null when there are none or all equal T (the fast path).</summary>
    private int[]? CheckLengths(ReadOnlySpan<int> lengths, int steps, int batch)
    {
        if (lengths.IsEmpty)
        {
            return null;
        }

        if (lengths.Length != batch)
        {
            throw new ArgumentException($"lengths: expected one length per sequence (B = {batch}), got {lengths.Length}.", nameof(lengths));
        }

        bool allFull = true;
        for (int b = 0; b < batch; b++)
        {
            if (lengths[b] < 1 || lengths[b] > steps)
            {
                throw new ArgumentOutOfRangeException(nameof(lengths), lengths[b], $"lengths[{b}]: expected a length in 1..{steps} (T), got {lengths[b]}.");
            }

            allFull &= lengths[b] == steps;
        }

        if (allFull)
        {
            return null;
        }

        if (_lengths.Length != batch)
        {
            _lengths = new int[batch];
        }

        lengths.CopyTo(_lengths);
        return _lengths;
    }

    private void CheckState(RecurrentState? state, int batch, string name)
    {
        if (state is null)
        {
            return;
        }

        int states = NumLayers * Directions;
        const string meaning = "(L·D, B, H)";
        Check.Shape(state.Hidden, name, meaning, states, batch, HiddenSize);
        if (Node is null)
        {
            Check.Finite(state.Hidden, name);
        }
        if (HasCellState)
        {
            if (state.Cell is null)
            {
                throw new ArgumentException(
                    $"{name}: expected a cell state c of shape {Tensor.FormatShape([states, batch, HiddenSize])} for {GetType().Name}, got none.", name);
            }

            Check.Shape(state.Cell, name, "for the cell state " + meaning, states, batch, HiddenSize);
            if (Node is null)
            {
                Check.Finite(state.Cell, name);
            }
        }
        else if (state.Cell is not null)
        {
            throw new ArgumentException($"{name}.Cell: {GetType().Name} has no cell state, got a tensor of shape {state.Cell.ShapeText}.", name);
        }
    }

    /// <summary>Draws layer l's dropout mask (0 or 1/(1-p)) and returns the masked output of layer l-1.</summary>
    private float[] ApplyDropout(int l, int length)
    {
        _masks[l] = Grow(_masks[l], length);
        _dropped[l] = Grow(_dropped[l], length);
        var mask = _masks[l].AsSpan(0, length);
        float keep = 1f - Dropout, scale = 1f / keep;
        for (int i = 0; i < mask.Length; i++)
        {
            mask[i] = _dropoutRng.NextDouble() < keep ? scale : 0f;
        }

        System.Numerics.Tensors.TensorPrimitives.Multiply(_outputs[l - 1].AsSpan(0, length), mask, _dropped[l].AsSpan(0, length));
        return _dropped[l];
    }

    private static float[] Grow(float[] buffer, int length) => buffer.Length >= length ? buffer : new float[length];
}
