using System.Text.Json.Nodes;
using Recur.Kernels;
using Recur.Models;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>How a bidirectional layer in a model joins its two directions.</summary>
public enum BidirectionalMerge
{
    /// <summary>Side by side: D·H = 2H features (forward first), as PyTorch's output.</summary>
    Concat,

    /// <summary>Added: H features.</summary>
    Sum,
}

// The recurrent layer as a node of a model graph (Keras' return_sequences / return_state), on top of the same
// forward and backward passes. In a model every value is batch-first: input (B, T, I), states (B, L·D, H).
public abstract partial class RecurrentLayer
{
    private Tensor? _graphH0, _graphC0, _graphOut, _graphLast, _graphHn, _graphCn;
    private Tensor? _graphDOut, _graphDhn, _graphDcn, _graphDh0, _graphDc0;
    private int _graphStateInputs; // how many initial-state inputs the last graph call had (0, 1 or 2)
    private bool _carried;         // whether _graphH0/_graphC0 hold the previous batch's final states (Stateful)

    /// <summary>In a model: the first output is the whole sequence (B, T, ·) (true, the default) or its last valid step (B, ·).</summary>
    public bool ReturnSequences { get; init; } = true;

    /// <summary>In a model: the final states follow as extra outputs, h_n and for the LSTM c_n, each (B, L·D, H).</summary>
    public bool ReturnState { get; init; }

    /// <summary>In a model, for a bidirectional layer: join the directions side by side (2H) or by sum (H).</summary>
    public BidirectionalMerge Merge { get; init; } = BidirectionalMerge.Concat;

    /// <summary>
    /// In a model: each batch starts from the previous batch's final states (Keras' stateful RNN), so row b of a
    /// batch continues row b of the one before: truncated backpropagation through time over a long stream. Gradients
    /// stop at the batch boundary. <see cref="ResetStates"/> starts again from zeros (Fit does so at each epoch).
    /// </summary>
    public bool Stateful { get; init; }

    /// <summary>The dropout generator's state (dropout between stacked layers), saved with checkpoints.</summary>
    public override ulong[] GetRngState() => _dropoutRng.GetState();

    /// <inheritdoc />
    public override void SetRngState(ReadOnlySpan<ulong> state) => _dropoutRng.SetState(state);

    /// <summary>Forgets the states a <see cref="Stateful"/> layer carries between batches.</summary>
    public void ResetStates() => _carried = false;

    private int StateCount => HasCellState ? 2 : 1;

    private int MergedSize => Bidirectional && Merge == BidirectionalMerge.Sum ? HiddenSize : Directions * HiddenSize;

    /// <inheritdoc />
    public override int InputCount => -1; // x, then optionally the initial states h_0 (and c_0)

    /// <inheritdoc />
    public override int OutputCount => 1 + (ReturnState ? StateCount : 0);

    /// <inheritdoc />
    public override int[][] OutputShapes(IReadOnlyList<int[]> inputShapes)
    {
        if (inputShapes.Count != 1 && inputShapes.Count != 1 + StateCount)
        {
            throw new ArgumentException(
                $"{DescribeForErrors()}: expected the input sequence, optionally followed by {(HasCellState ? "h_0 and c_0" : "h_0")}; got {inputShapes.Count} inputs.");
        }

        ExpectShape(inputShapes[0], 2, InputSize, $"(T, {InputSize})");
        int states = NumLayers * Directions;
        for (int i = 1; i < inputShapes.Count; i++)
        {
            if (!inputShapes[i].SequenceEqual([states, HiddenSize]))
            {
                throw new ArgumentException(
                    $"{DescribeForErrors()}: expected initial state {i} of shape {Tensor.FormatShape([states, HiddenSize])} (L·D, H) per sample, got {Tensor.FormatShape(inputShapes[i])}.");
            }
        }

        var shapes = new List<int[]> { ReturnSequences ? [inputShapes[0][0], MergedSize] : [MergedSize] };
        for (int i = 0; ReturnState && i < StateCount; i++)
        {
            shapes.Add([states, HiddenSize]);
        }

        return [.. shapes];
    }

    /// <inheritdoc />
    public override void Forward(ReadOnlySpan<LayerValue> inputs, Span<LayerValue> outputs)
    {
        var x = inputs[0].Data;
        var (steps, batch) = CheckInput(x, batchFirst: true);
        int states = NumLayers * Directions, h = HiddenSize;
        _graphStateInputs = inputs.Length - 1;
        RecurrentState? initial = null;
        if (_graphStateInputs > 0)
        {
            // (B, L·D, H) in the graph → (L·D, B, H) for the layer.
            var h0 = Tensor.Reuse(ref _graphH0, states, batch, h);
            CheckGraphState(inputs[1].Data, batch, "initial hidden state");
            Elementwise.SwapLeadingAxes(inputs[1].Data.Span, batch, states, h, h0.Span);
            Tensor? c0 = null;
            if (HasCellState)
            {
                c0 = Tensor.Reuse(ref _graphC0, states, batch, h);
                CheckGraphState(inputs[2].Data, batch, "initial cell state");
                Elementwise.SwapLeadingAxes(inputs[2].Data.Span, batch, states, h, c0.Span);
            }

            initial = new RecurrentState(h0, c0);
            CheckState(initial, batch, "initialState");
        }
        else if (Stateful && _carried)
        {
            if (_graphH0!.Dim(1) != batch)
            {
                throw new ArgumentException(
                    $"{DescribeForErrors()} is stateful: every batch must have the carried batch size {_graphH0.Dim(1)}, got {batch}. Call ResetStates() to start over.");
            }

            initial = new RecurrentState(_graphH0, HasCellState ? _graphC0 : null);
        }

        var result = ForwardCore(x, batchFirst: true, steps, batch, initial, CheckLengths(inputs[0].Lengths, steps, batch));
        if (Stateful && _graphStateInputs == 0)
        {
            // Carry the final states to the next batch (copies: the layer's buffers change with the next call).
            result.FinalState.Hidden.Span.CopyTo(Tensor.Reuse(ref _graphH0, states, batch, h).Span);
            if (HasCellState)
            {
                result.FinalState.Cell!.Span.CopyTo(Tensor.Reuse(ref _graphC0, states, batch, h).Span);
            }

            _carried = true;
        }
        bool sum = Bidirectional && Merge == BidirectionalMerge.Sum;
        if (ReturnSequences)
        {
            var seq = result.Output;
            if (sum)
            {
                seq = Tensor.Reuse(ref _graphOut, batch, steps, h);
                SumDirections(result.Output.Span, seq.Span, batch * steps);
            }

            outputs[0] = new LayerValue(seq, inputs[0].Lengths);
        }
        else
        {
            // The last valid step of each sequence is the top layer's final state (the reverse direction ends at t = 0).
            var last = Tensor.Reuse(ref _graphLast, batch, MergedSize);
            var hn = result.FinalState.Hidden.Span;
            int top = (NumLayers - 1) * Directions;
            for (int b = 0; b < batch; b++)
            {
                var row = last.Span.Slice(b * MergedSize, MergedSize);
                for (int d = 0; d < Directions; d++)
                {
                    var src = hn.Slice(((top + d) * batch + b) * h, h);
                    if (sum && d == 1)
                    {
                        System.Numerics.Tensors.TensorPrimitives.Add(row, src, row);
                    }
                    else
                    {
                        src.CopyTo(row.Slice(sum ? 0 : d * h, h));
                    }
                }
            }

            outputs[0] = new LayerValue(last);
        }

        if (ReturnState)
        {
            var hn = Tensor.Reuse(ref _graphHn, batch, states, h);
            Elementwise.SwapLeadingAxes(result.FinalState.Hidden.Span, states, batch, h, hn.Span);
            outputs[1] = new LayerValue(hn);
            if (HasCellState)
            {
                var cn = Tensor.Reuse(ref _graphCn, batch, states, h);
                Elementwise.SwapLeadingAxes(result.FinalState.Cell!.Span, states, batch, h, cn.Span);
                outputs[2] = new LayerValue(cn);
            }
        }
    }

    /// <inheritdoc />
    public override void Backward(ReadOnlySpan<Tensor?> outputGradients, Span<Tensor?> inputGradients)
    {
        int steps = _steps, batch = _batch, states = NumLayers * Directions, h = HiddenSize, dh = Directions * h;
        bool sum = Bidirectional && Merge == BidirectionalMerge.Sum;

        // ∂L/∂(output sequence), (B, T, D·H): zero when only the last step or the states reach the loss.
        var dSeq = ReturnSequences ? outputGradients[0] : null;
        var dOut = dSeq is not null && !sum ? dSeq : Tensor.Reuse(ref _graphDOut, batch, steps, dh);
        if (dSeq is null)
        {
            dOut.Span.Clear();
        }
        else if (sum)
        {
            for (int r = 0; r < batch * steps; r++)
            {
                dSeq.Span.Slice(r * h, h).CopyTo(dOut.Span.Slice(r * dh, h));
                dSeq.Span.Slice(r * h, h).CopyTo(dOut.Span.Slice(r * dh + h, h));
            }
        }

        // ∂L/∂h_n, ∂L/∂c_n, (L·D, B, H): from the last-step output and from the returned states.
        var dhn = Tensor.Reuse(ref _graphDhn, states, batch, h);
        dhn.Span.Clear();
        if (!ReturnSequences && outputGradients[0] is { } dLast)
        {
            int top = (NumLayers - 1) * Directions;
            for (int b = 0; b < batch; b++)
            {
                for (int d = 0; d < Directions; d++)
                {
                    dLast.Span.Slice(b * MergedSize + (sum ? 0 : d * h), h).CopyTo(dhn.Span.Slice(((top + d) * batch + b) * h, h));
                }
            }
        }

        Tensor? dcn = null;
        if (HasCellState)
        {
            dcn = Tensor.Reuse(ref _graphDcn, states, batch, h);
            dcn.Span.Clear();
        }

        if (ReturnState)
        {
            AddTransposed(outputGradients[1], dhn, batch, states, h);
            if (HasCellState)
            {
                AddTransposed(outputGradients[2], dcn!, batch, states, h);
            }
        }

        var grads = BackwardCore(dOut, new RecurrentState(dhn, dcn));
        inputGradients[0] = grads.Input;
        if (_graphStateInputs > 0)
        {
            var dh0 = Tensor.Reuse(ref _graphDh0, batch, states, h);
            Elementwise.SwapLeadingAxes(grads.InitialState.Hidden.Span, states, batch, h, dh0.Span);
            inputGradients[1] = dh0;
            if (HasCellState)
            {
                var dc0 = Tensor.Reuse(ref _graphDc0, batch, states, h);
                Elementwise.SwapLeadingAxes(grads.InitialState.Cell!.Span, states, batch, h, dc0.Span);
                inputGradients[2] = dc0;
            }
        }
    }

    /// <inheritdoc />
    public override JsonObject GetConfig()
    {
        var config = new JsonObject
        {
            ["input_size"] = InputSize,
            ["hidden_size"] = HiddenSize,
            ["num_layers"] = NumLayers,
            ["bias"] = Bias,
            ["batch_first"] = BatchFirst,
            ["dropout"] = Dropout,
            ["bidirectional"] = Bidirectional,
            ["return_sequences"] = ReturnSequences,
            ["return_state"] = ReturnState,
            ["merge"] = Merge.ToString().ToLowerInvariant(),
            ["stateful"] = Stateful,
        };
        AddConfig(config);
        return config;
    }

    /// <summary>Adds type-specific constructor arguments (the RNN's nonlinearity) to the config.</summary>
    private protected virtual void AddConfig(JsonObject config)
    {
    }

    private void CheckGraphState(Tensor state, int batch, string what)
    {
        if (state.Rank != 3 || state.Dim(0) != batch)
        {
            throw new ArgumentException($"{DescribeForErrors()}: the {what} has shape {state.ShapeText}, expected (B = {batch}, L·D, H).");
        }
    }

    // dst (L·D, B, H) += src (B, L·D, H) transposed.
    private static void AddTransposed(Tensor? src, Tensor dst, int batch, int states, int h)
    {
        if (src is null)
        {
            return;
        }

        for (int b = 0; b < batch; b++)
        {
            for (int s = 0; s < states; s++)
            {
                var from = src.Span.Slice((b * states + s) * h, h);
                var to = dst.Span.Slice((s * batch + b) * h, h);
                System.Numerics.Tensors.TensorPrimitives.Add(to, from, to);
            }
        }
    }

    // (rows, 2H) → (rows, H): forward half + reverse half.
    private void SumDirections(ReadOnlySpan<float> source, Span<float> destination, int rows)
    {
        int h = HiddenSize;
        for (int r = 0; r < rows; r++)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(source.Slice(r * 2 * h, h), source.Slice(r * 2 * h + h, h), destination.Slice(r * h, h));
        }
    }
}
