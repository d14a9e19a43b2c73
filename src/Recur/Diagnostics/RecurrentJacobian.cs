using Recur.Layers;
using Recur.Tensors;

namespace Recur.Diagnostics;

/// <summary>
/// The recurrent Jacobian view: how strongly h_{t-1} drives h_t. <see cref="SpectralRadius(ReadOnlySpan{float}, int)"/>
/// looks at W_hh alone; <see cref="HiddenJacobianNorms"/> measures ∂h_t/∂h_k exactly, gates and nonlinearities included.
/// </summary>
public static class RecurrentJacobian
{
    // ρ(W) = lim ‖Wⁿ‖^(1/n) with n = 2^Squarings: the Frobenius norm's √H factor and any non-normal transient are
    // then raised to the power 2^-24, below float precision.
    private const int Squarings = 24;

    /// <summary>
    /// The spectral radius ρ(W) = max |λ| of a square (n, n) row-major matrix, by Gelfand's formula
    /// ρ = lim ‖W^N‖^(1/N): W is squared 24 times (N = 2^24) in double precision, renormalised after each squaring.
    /// Power iteration on a vector would not converge when the largest eigenvalues are a complex pair.
    /// </summary>
    public static double SpectralRadius(ReadOnlySpan<float> matrix, int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        if (matrix.Length != n * n)
        {
            throw new ArgumentException($"matrix: expected n·n = {n * n} values, got {matrix.Length}.", nameof(matrix));
        }

        var a = new double[n * n];
        var product = new double[n * n];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = matrix[i];
        }

        double logScale = 0; // W^(2^m) = exp(logScale)·a
        for (int m = 0; ; m++)
        {
            double norm = Math.Sqrt(a.Sum(v => v * v));
            if (norm == 0)
            {
                return 0; // nilpotent
            }

            logScale += Math.Log(norm);
            if (m == Squarings)
            {
                return Math.Exp(logScale / Math.Pow(2, m));
            }

            // a = (a / norm)², logScale doubles.
            for (int i = 0; i < a.Length; i++)
            {
                a[i] /= norm;
            }

            Array.Clear(product);
            for (int i = 0; i < n; i++)
            {
                for (int k = 0; k < n; k++)
                {
                    double aik = a[i * n + k];
                    for (int j = 0; j < n; j++)
                    {
                        product[i * n + j] += aik * a[k * n + j];
                    }
                }
            }

            (a, product) = (product, a);
            logScale *= 2;
        }
    }

    /// <summary>
    /// ρ of each gate block of W_hh for stacked layer <paramref name="layerIndex"/> and <paramref name="direction"/>:
    /// the (H, H) blocks that map h_{t-1} to each gate's pre-activation, in PyTorch order (RNN: one; LSTM: i, f, g, o;
    /// GRU: r, z, n). For the RNN, ρ(W_hh) &lt; 1 means ∂h_t/∂h_k vanishes geometrically (tanh' ≤ 1 only shrinks it
    /// further). For gated cells the Jacobian is each block scaled by gate derivatives, plus the LSTM's f ⊙ path
    /// through c and the GRU's z ⊙ path through h, so the blocks' radii alone do not decide the flow: see
    /// <see cref="HiddenJacobianNorms"/>.
    /// </summary>
    public static double[] SpectralRadii(RecurrentLayer layer, int layerIndex = 0, int direction = 0)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentOutOfRangeException.ThrowIfNegative(layerIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layerIndex, layer.NumLayers);
        ArgumentOutOfRangeException.ThrowIfNegative(direction);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(direction, layer.Directions);
        var cell = layer.Cell(layerIndex, direction);
        int h = layer.HiddenSize, blocks = cell.GateRows / h;
        var weights = cell.WeightHh.Value.Span;
        var radii = new double[blocks];
        for (int k = 0; k < blocks; k++)
        {
            radii[k] = SpectralRadius(weights.Slice(k * h * h, h * h), h);
        }

        return radii;
    }

    /// <summary>
    /// ‖∂h_t/∂h_k‖_F, the Frobenius norm of the (H, H) Jacobian of the last hidden state h_t (t = T-1) of the top
    /// layer's forward direction with respect to its earlier state h_k, for lags t - k = 1 .. <paramref name="maxLag"/>
    /// (element lag - 1 of the result), along one input sequence. For the LSTM the derivative holds c_k fixed (the
    /// gradient BPTT carries in h).
    /// </summary>
    /// <remarks>
    /// Exact, by one forward and one backward pass of the layer on a batch of H copies of the sequence, in evaluation
    /// mode: copy b backpropagates the unit vector e_b from h_t, so its gradient at h_k is row b of ∂h_t/∂h_k, and the
    /// Frobenius norm that a <see cref="GradientFlowRecorder"/> records over the batch is the Jacobian's. The layer's
    /// forward caches are overwritten; its parameter gradients, mode and diagnostics are restored.
    /// </remarks>
    /// <param name="layer">The recurrent layer (any depth or direction; the top layer's forward direction is measured).</param>
    /// <param name="sequence">(T, I): the input sequence, T ≥ 2.</param>
    /// <param name="maxLag">The largest lag, 1 .. T-1.</param>
    /// <param name="initialState">h_0 (and c_0), (L·D, 1, H); null for zeros.</param>
    public static double[] HiddenJacobianNorms(RecurrentLayer layer, ReadOnlySpan<float> sequence, int maxLag, RecurrentState? initialState = null)
    {
        ArgumentNullException.ThrowIfNull(layer);
        int h = layer.HiddenSize, inputSize = layer.InputSize, steps = sequence.Length / inputSize, dh = layer.Directions * h;
        if (steps < 2 || sequence.Length != steps * inputSize)
        {
            throw new ArgumentException($"sequence: expected (T, I) values with I = {inputSize} and T ≥ 2, got {sequence.Length} values.", nameof(sequence));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxLag, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxLag, steps - 1);

        var x = new Tensor(h, steps, inputSize); // (B = H, T, I)
        for (int b = 0; b < h; b++)
        {
            sequence.CopyTo(x.Span.Slice(b * steps * inputSize));
        }

        var state = initialState is null ? null : new RecurrentState(Replicate(initialState.Hidden, h), initialState.Cell is null ? null : Replicate(initialState.Cell, h));
        var dOut = new Tensor(h, steps, dh); // (B, T, D·H): e_b at h_t for copy b
        for (int b = 0; b < h; b++)
        {
            dOut.Span[(b * steps + steps - 1) * dh + b] = 1f;
        }

        var savedGrads = layer.Parameters.Select(p => p.Grad.Span.ToArray()).ToArray();
        var (savedRecorder, savedFirst, wasTraining) = (layer.Diagnostics, layer.DiagnosticsFirstLayer, layer.Training);
        var flow = new GradientFlowRecorder();
        try
        {
            layer.Training = false;
            layer.AttachDiagnostics(flow, firstLayer: 0);
            layer.ForwardBatchFirst(x, state);
            layer.Backward(dOut);
        }
        finally
        {
            layer.AttachDiagnostics(savedRecorder, savedFirst);
            layer.Training = wasTraining;
            for (int p = 0; p < savedGrads.Length; p++)
            {
                savedGrads[p].CopyTo(layer.Parameters[p].Grad.Span);
            }
        }

        var norms = flow.Trace(layer.NumLayers - 1).HiddenGradientNorm;
        var result = new double[maxLag];
        for (int lag = 1; lag <= maxLag; lag++)
        {
            result[lag - 1] = norms[steps - 1 - lag];
        }

        return result;
    }

    /// <summary>(S, 1, H) → (S, copies, H): every state row repeated for each copy of the sequence.</summary>
    private static Tensor Replicate(Tensor state, int copies)
    {
        int states = state.Dim(0), h = state.Dim(2);
        if (state.Dim(1) != 1)
        {
            throw new ArgumentException($"initialState: expected (L·D, 1, H) for one sequence, got {state.ShapeText}.", nameof(state));
        }

        var result = new Tensor(states, copies, h);
        for (int s = 0; s < states; s++)
        {
            for (int b = 0; b < copies; b++)
            {
                state.Span.Slice(s * h, h).CopyTo(result.Span.Slice((s * copies + b) * h, h));
            }
        }

        return result;
    }
}
