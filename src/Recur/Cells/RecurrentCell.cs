using System.Numerics.Tensors;
using Recur.Kernels;
using Recur.Modules;

namespace Recur.Cells;

/// <summary>
/// One direction of one layer of a recurrent network: its four PyTorch parameters, the time loop over a whole
/// sequence (forward, and backpropagation through time), and the caches in between. Subclasses supply one step of
/// their cell (<see cref="StepForward"/>, <see cref="GatesBackward"/>); the loop, the input projection and the weight
/// gradients are shared here.
/// </summary>
/// <remarks>
/// Shapes: x (T, B, I) time-major and contiguous; the hidden sequence lives in a caller-owned buffer where row
/// (t, b) starts at <c>hOffset + (t·B + b)·hStride</c> (the (T, B, D·H) layer output, so both directions write into
/// one tensor). Weights: W_ih (G, I), W_hh (G, H), b_ih (G), b_hh (G), gate blocks in PyTorch order.
///
/// Speed: x·W_ihᵀ for all T steps is one GEMM before the loop, so each step multiplies only by W_hh, which is packed
/// once and kept while its values are unchanged (see <see cref="CachedPack"/>). Backward leaves every weight gradient to three GEMMs after the loop; inside it only the
/// gradient flowing to h_{t-1} is computed. All buffers are kept between calls and grow only: a steady-state
/// training step allocates nothing.
/// </remarks>
internal abstract partial class RecurrentCell
{
    private readonly CachedPack _hhTransposed = new(); // op(B) = W_hhᵀ (H, G) for the forward steps
    private readonly CachedPack _hh = new();           // op(B) = W_hh (G, H) for the backward steps
    private readonly CachedPack _ihTransposed = new(); // op(B) = W_ihᵀ (I, G) for the input projection
    private PackedMatrix? _forwardPack, _backwardPack;
    private FusedRows? _fusedHh; // W_hh (G, H) in the fused step's layout, when a forward took that path
    private readonly GateJob _gateJob;
    private FusedJob? _fusedJob;
    private float[] _foldedBias = []; // (G): the biases the step kernels add to x·W_ihᵀ (zeros without biases)
    private float[] _stash = []; // (B, 2, H): padded rows of DhNext and DcNext during a backward step
    private readonly float[] _biasGradients; // (2, G): this backward's b_ih and b_hh gradients, summed over steps

    /// <summary>
    /// Below this many hidden values per step (B·H) a step's gate kernel runs on the calling thread; above it the
    /// batch rows are split across the kernel workers, which otherwise idle between the step GEMMs.
    /// </summary>
    internal const int ParallelGateMinValues = 1024;

    /// <summary>Hidden units from which one sequence's gate kernel is split across the workers.</summary>
    internal const int ParallelGateMinUnits = 512;

    protected RecurrentCell(int inputSize, int hiddenSize, int gateBlocks, bool bias, string suffix)
    {
        _gateJob = new GateJob(this);
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        GateRows = gateBlocks * hiddenSize;
        _biasGradients = new float[2 * GateRows];
        WeightIh = new Parameter("weight_ih" + suffix, GateRows, inputSize);
        WeightHh = new Parameter("weight_hh" + suffix, GateRows, hiddenSize);
        if (bias)
        {
            BiasIh = new Parameter("bias_ih" + suffix, GateRows);
            BiasHh = new Parameter("bias_hh" + suffix, GateRows);
            Parameters = [WeightIh, WeightHh, BiasIh, BiasHh];
        }
        else
        {
            Parameters = [WeightIh, WeightHh];
        }
    }

    public int InputSize { get; }

    public int HiddenSize { get; }

    /// <summary>G: rows of the gate block (H, 3H or 4H).</summary>
    public int GateRows { get; }

    public Parameter WeightIh { get; }

    public Parameter WeightHh { get; }

    public Parameter? BiasIh { get; }

    public Parameter? BiasHh { get; }

    /// <summary>PyTorch order: weight_ih, weight_hh, bias_ih, bias_hh.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Whether the cell carries a memory cell c besides h (LSTM).</summary>
    public virtual bool HasCellState => false;

    // Sizes and inputs of the last Forward, read by Backward.
    protected int Steps { get; private set; }

    protected int Batch { get; private set; }

    protected bool Reverse { get; private set; }

    protected float[] X { get; private set; } = [];

    /// <summary>(B) valid lengths of the last Forward, or null when all sequences have T steps.</summary>
    protected int[]? Lengths { get; private set; }

    protected float[] HSeq { get; private set; } = [];

    protected int HOffset { get; private set; }

    protected int HStride { get; private set; }

    /// <summary>(T, B, G): pre-activations, then activations (what the step kernels cache).</summary>
    protected float[] Gates { get; private set; } = [];

    /// <summary>(T, B, G): gradients of the input-side pre-activations.</summary>
    protected float[] DGates { get; private set; } = [];

    /// <summary>(B, H) initial hidden state (copied: zeros when none is given), and (B, H) initial cell state.</summary>
    protected float[] H0 { get; private set; } = [];

    protected float[] C0 { get; private set; } = [];

    /// <summary>(B, H): during backward, the gradient reaching h_{t-1} (then h0), and for the LSTM c_{t-1}.</summary>
    protected float[] DhNext { get; private set; } = [];

    protected float[] DcNext { get; private set; } = [];

    /// <summary>(G): b_ih + b_hh (GRU: b_ih + [b_hr, b_hz, 0]), or zeros for a cell without biases.</summary>
    protected ReadOnlySpan<float> FoldedBias => _foldedBias.AsSpan(0, GateRows);

    /// <summary>W_hhᵀ packed for the forward steps of the current sequence.</summary>
    protected PackedMatrix HhTransposed => _forwardPack!;

    /// <summary>W_hh in the fused step's layout, for the forward steps of the current sequence when <see cref="UseFusedStep"/>.</summary>
    protected unsafe float* FusedHh => _fusedHh!.Data;

    /// <summary>
    /// Runs the whole sequence. x (T, B, I) must stay unchanged until <see cref="Backward"/>; h0 and c0 are (B, H)
    /// or empty for zeros. Writes h_t into the hidden sequence buffer.
    /// </summary>
    /// <remarks>
    /// <c>lengths</c> is null when every sequence has T steps; else (B) valid lengths in 1..T, kept until Backward.
    /// Past its length a row's state is carried unchanged (forward: h_n is the state after the last valid step;
    /// reverse: the row starts from h0 at its last valid step), exactly as if the sequence ran alone. The carried
    /// states stay in the hidden sequence buffer; the layer zeroes padded outputs in the copy it returns.
    /// </remarks>
    public void Forward(
        float[] x, int steps, int batch, ReadOnlySpan<float> h0, ReadOnlySpan<float> c0,
        float[] hSeq, int hOffset, int hStride, bool reverse, int[]? lengths = null)
    {
        int rows = steps * batch;
        Steps = steps;
        Batch = batch;
        Reverse = reverse;
        X = x;
        Lengths = lengths;
        HSeq = hSeq;
        HOffset = hOffset;
        HStride = hStride;
        EnsureCapacity(steps, batch);

        int bh = batch * HiddenSize;
        CopyOrZero(h0, H0.AsSpan(0, bh));
        if (HasCellState)
        {
            CopyOrZero(c0, C0.AsSpan(0, bh));
        }

        // gates = x·W_ihᵀ for all steps at once. The biases that do not depend on h are added by the step kernels
        // (FoldedBias), not broadcast here: at B=64 that saves writing, then reading back, the (T, B, G) block.
        if (BiasIh is not null)
        {
            FoldInputBias(_foldedBias);
        }

        var ihTransposed = _ihTransposed.Get(WeightIh.Value.Span, InputSize, true, InputSize, GateRows);
        Gemm.Multiply(x, InputSize, false, ihTransposed, rows, Gates.AsSpan(0, rows * GateRows), GateRows, accumulate: false);

        if (UseFusedStep)
        {
            _fusedHh ??= new FusedRows();
            _fusedHh.Prepare(GateRows * HiddenSize, HiddenSize);
            if (lengths is null)
            {
                // All steps in one fork/join: each thread keeps its units' W_hh rows for the whole sequence, and
                // checks them against W_hh (rearranging any that changed) in the first step.
                _fusedJob ??= new FusedJob(this);
                _fusedJob.RunSteps(steps, FusedTasks);
                _fusedHh.MarkFilled();
                return;
            }

            // A padded sequence steps one at a time (its padded steps carry the state): check all rows first.
            _fusedHh.Refresh(WeightHh.Value.Span, 0, GateRows);
            _fusedHh.MarkFilled();
        }
        else
        {
            _forwardPack = _hhTransposed.Get(WeightHh.Value.Span, HiddenSize, true, HiddenSize, GateRows);
        }

        for (int s = 0; s < steps; s++)
        {
            var (t, tPrev) = StepAt(s);
            StepForward(t, tPrev);
            if (lengths is not null)
            {
                CarryPaddedRows(t, tPrev);
            }
        }
    }

    /// <summary>Step s of the loop in time order: t, and the step before it (-1 for the initial state).</summary>
    private (int T, int TPrev) StepAt(int s)
    {
        int t = Reverse ? Steps - 1 - s : s;
        return (t, s == 0 ? -1 : (Reverse ? t + 1 : t - 1));
    }

    /// <summary>
    /// Backpropagation through time over the sequence of the last <see cref="Forward"/>. dOut is the gradient of
    /// the hidden sequence (same layout as it); dhN and dcN (B, H) the gradients of the final states, or empty.
    /// Adds into the parameter gradients; writes (or, with <paramref name="accumulateDx"/>, adds) dx (T, B, I); writes
    /// dh0 and dc0 (B, H).
    /// </summary>
    public void Backward(
        float[] dOut, int dOutOffset, int dOutStride, ReadOnlySpan<float> dhN, ReadOnlySpan<float> dcN,
        Span<float> dx, bool accumulateDx, Span<float> dh0, Span<float> dc0)
    {
        int steps = Steps, batch = Batch, rows = steps * batch, bh = batch * HiddenSize;
        CopyOrZero(dhN, DhNext.AsSpan(0, bh));
        if (HasCellState)
        {
            CopyOrZero(dcN, DcNext.AsSpan(0, bh));
        }

        // For LSTM and RNN the hidden-side pre-activation gradients are the input-side ones: b_hh's gradient is b_ih's.
        bool separateHiddenSide = !ReferenceEquals(HiddenSideGradients, DGates);
        var dBiasIh = _biasGradients.AsSpan(0, GateRows);
        var dBiasHh = _biasGradients.AsSpan(GateRows, GateRows);
        _biasGradients.AsSpan().Clear();

        _backwardPack = _hh.Get(WeightHh.Value.Span, HiddenSize, false, GateRows, HiddenSize);
        Trace?.Begin(steps);
        for (int s = steps - 1; s >= 0; s--)
        {
            int t = Reverse ? steps - 1 - s : s;
            int tPrev = s == 0 ? -1 : (Reverse ? t + 1 : t - 1);
            int block = t * batch * GateRows;
            if (Lengths is not null)
            {
                StashPaddedRows(t, toStash: true);
            }

            if (Trace is not null)
            {
                RecordStep(Trace, t, dOut, dOutOffset, dOutStride); // before the kernel overwrites DhNext/DcNext
            }

            _gateJob.Set(t, tPrev, backward: true, dOut, dOutOffset, dOutStride);
            RunGates();
            if (Lengths is not null)
            {
                // A padded row has no gate gradient: its state passes through unchanged.
                ZeroPaddedRows(t, DGates.AsSpan(block, batch * GateRows), GateRows);
                if (separateHiddenSide)
                {
                    ZeroPaddedRows(t, HiddenSideGradients.AsSpan(block, batch * GateRows), GateRows);
                }
            }

            // dh_{t-1} (+)= dHidden_t·W_hh (the GRU's kernel has left its direct path dh_t·z_t in DhNext).
            Gemm.Multiply(HiddenSideGradients.AsSpan(block, batch * GateRows), GateRows, false, _backwardPack, batch, DhNext, HiddenSize, accumulate: separateHiddenSide);
            if (Lengths is not null)
            {
                StashPaddedRows(t, toStash: false);
            }

            if (BiasIh is not null)
            {
                // Sum the bias gradients while this step's rows are still in cache.
                Elementwise.AddRowSums(DGates.AsSpan(block, batch * GateRows), batch, dBiasIh);
                if (separateHiddenSide)
                {
                    Elementwise.AddRowSums(HiddenSideGradients.AsSpan(block, batch * GateRows), batch, dBiasHh);
                }
            }
        }

        if (BiasIh is not null)
        {
            TensorPrimitives.Add(BiasIh.Grad.Span, dBiasIh, BiasIh.Grad.Span);
            TensorPrimitives.Add(BiasHh!.Grad.Span, separateHiddenSide ? dBiasHh : dBiasIh, BiasHh.Grad.Span);
        }

        var dGates = DGates.AsSpan(0, rows * GateRows);
        var dHidden = HiddenSideGradients.AsSpan(0, rows * GateRows);

        // dW_ih += Σ_t dGates_tᵀ·x_t, dx = dGates·W_ih.
        Gemm.Multiply(dGates, GateRows, true, X, InputSize, false, GateRows, InputSize, rows, WeightIh.Grad.Span, InputSize, accumulate: true);
        Gemm.Multiply(dGates, GateRows, false, WeightIh.Value.Span, InputSize, false, rows, InputSize, GateRows, dx, InputSize, accumulateDx);

        // dW_hh += Σ_t dHidden_tᵀ·h_{t-1}: the steps whose h_{t-1} is in the sequence buffer form one block
        // (contiguous rows), the first processed step reads h0.
        int firstStep = Reverse ? steps - 1 : 0;
        if (steps > 1)
        {
            int dStart = (Reverse ? 0 : 1) * batch * GateRows;
            int hStart = HOffset + (Reverse ? 1 : 0) * batch * HStride;
            Gemm.Multiply(dHidden[dStart..], GateRows, true, HSeq.AsSpan(hStart), HStride, false, GateRows, HiddenSize, (steps - 1) * batch, WeightHh.Grad.Span, HiddenSize, accumulate: true);
        }

        Gemm.Multiply(dHidden[(firstStep * batch * GateRows)..], GateRows, true, H0, HiddenSize, false, GateRows, HiddenSize, batch, WeightHh.Grad.Span, HiddenSize, accumulate: true);

        DhNext.AsSpan(0, bh).CopyTo(dh0);
        if (HasCellState)
        {
            DcNext.AsSpan(0, bh).CopyTo(dc0);
        }
    }

    /// <summary>The final cell state of the last forward (B, H); only for cells with <see cref="HasCellState"/>.</summary>
    public virtual ReadOnlySpan<float> FinalCell => throw new InvalidOperationException($"{GetType().Name} has no cell state.");

    /// <summary>The B rows of the hidden state at step t, or of h0 when t is -1: a span starting at row 0, and the row stride.</summary>
    protected ReadOnlySpan<float> HiddenAt(int t, out int stride)
    {
        stride = t < 0 ? HiddenSize : HStride;
        return t < 0 ? H0 : HSeq.AsSpan(HOffset + t * Batch * HStride);
    }

    /// <summary>
    /// The gradients of the hidden-side pre-activations, (T, B, G): the same as <see cref="DGates"/> except for the
    /// GRU, whose new gate multiplies its hidden-side part by r.
    /// </summary>
    protected virtual float[] HiddenSideGradients => DGates;

    /// <summary>Writes the bias that can join the input projection: b_ih + b_hh (GRU: b_ih + [b_hr, b_hz, 0]).</summary>
    protected virtual void FoldInputBias(Span<float> destination)
    {
        System.Numerics.Tensors.TensorPrimitives.Add(BiasIh!.Value.Span, BiasHh!.Value.Span, destination[..GateRows]);
    }

    /// <summary>
    /// One forward step at time t from the state at tPrev (-1: the initial state). Gates[t] holds x_t·W_ihᵀ plus the
    /// folded bias on entry.
    /// </summary>
    protected abstract void StepForward(int t, int tPrev);

    /// <summary>
    /// The elementwise half of backward step t for batch rows [b0, b0 + rows) and hidden units [j0, j1) (all
    /// independent): reads the
    /// output gradient at t and <see cref="DhNext"/>/<see cref="DcNext"/> (the gradients reaching h_t and c_t from
    /// later steps) and writes DGates[t] (and the hidden-side gradients). Leaves in DcNext the gradient reaching
    /// c_{tPrev}; for the GRU, leaves in DhNext the direct part dh_t·z_t of the gradient reaching h_{tPrev}. The
    /// caller then adds the recurrent part through W_hh.
    /// </summary>
    protected abstract void GatesBackward(int t, int tPrev, int b0, int rows, int j0, int j1, float[] dOut, int dOutOffset, int dOutStride);

    /// <summary>The gate kernel of forward step t for batch rows [b0, b0 + rows) and hidden units [j0, j1); all are independent.</summary>
    protected abstract void GatesForward(int t, int tPrev, int b0, int rows, int j0, int j1);

    /// <summary>Runs <see cref="GatesForward"/> over all batch rows, split across threads when the step is large.</summary>
    protected void RunGatesForward(int t, int tPrev)
    {
        _gateJob.Set(t, tPrev, backward: false, [], 0, 0);
        RunGates();
    }

    /// <summary>Padded rows at step t keep the previous state: h_t = h_{tPrev} (and c_t = c_{tPrev}).</summary>
    protected virtual void CarryPaddedRows(int t, int tPrev)
    {
        var hPrev = HiddenAt(tPrev, out int prevStride);
        for (int b = 0; b < Batch; b++)
        {
            if (t >= Lengths![b])
            {
                hPrev.Slice(b * prevStride, HiddenSize).CopyTo(HSeq.AsSpan(HOffset + (t * Batch + b) * HStride, HiddenSize));
            }
        }
    }

    /// <summary>Whether row b is padding at step t.</summary>
    protected bool IsPadded(int t, int b) => Lengths is not null && t >= Lengths[b];

    private void ZeroPaddedRows(int t, Span<float> rows, int width)
    {
        for (int b = 0; b < Batch; b++)
        {
            if (t >= Lengths![b])
            {
                rows.Slice(b * width, width).Clear();
            }
        }
    }

    // Saves (or restores) the padded rows of DhNext and DcNext around a backward step, so the gradient of a carried
    // state passes through the step unchanged.
    private void StashPaddedRows(int t, bool toStash)
    {
        int h = HiddenSize;
        for (int b = 0; b < Batch; b++)
        {
            if (t < Lengths![b])
            {
                continue;
            }

            var dh = DhNext.AsSpan(b * h, h);
            var saved = _stash.AsSpan(2 * b * h, h);
            (toStash ? dh : saved).CopyTo(toStash ? saved : dh);
            if (HasCellState)
            {
                var dc = DcNext.AsSpan(b * h, h);
                var savedC = _stash.AsSpan((2 * b + 1) * h, h);
                (toStash ? dc : savedC).CopyTo(toStash ? savedC : dc);
            }
        }
    }

    /// <summary>Grows the per-sequence caches of a subclass to (T, B).</summary>
    protected virtual void EnsureCapacity(int steps, int batch)
    {
        int rows = steps * batch, bh = batch * HiddenSize;
        Gates = Grow(Gates, rows * GateRows);
        DGates = Grow(DGates, rows * GateRows);
        H0 = Grow(H0, bh);
        DhNext = Grow(DhNext, bh);
        if (HasCellState)
        {
            C0 = Grow(C0, bh);
            DcNext = Grow(DcNext, bh);
        }

        _foldedBias = Grow(_foldedBias, GateRows); // new arrays are zeros: the bias of a cell without biases
        _stash = Grow(_stash, 2 * bh);
    }

    protected static float[] Grow(float[] buffer, int length) => buffer.Length >= length ? buffer : new float[length];

    private void RunGates()
    {
        // Rows are split when there are enough of them; a single sequence (B=1) splits its hidden units instead.
        int threads = WorkerPool.Threads;
        bool parallel = threads > 1 && (Batch * HiddenSize >= ParallelGateMinValues || (Batch < threads && HiddenSize >= ParallelGateMinUnits));
        WorkerPool.RunOrInline(_gateJob, parallel ? threads : 1);
    }

    /// <summary>
    /// Whether forward steps take the fused single-sequence path (<see cref="FusedStep"/>): B = 1 and H a multiple
    /// of 8. Its parts split the hidden units, in groups of 8, two parts per worker (so a slowed core can be helped).
    /// </summary>
    protected bool UseFusedStep => HasFusedStep && Batch == 1 && FusedStep.Supports(HiddenSize);

    /// <summary>Whether the cell implements <see cref="FusedForward"/> (LSTM, GRU).</summary>
    protected virtual bool HasFusedStep => false;

    /// <summary>
    /// Tasks of a fused step: hidden units in groups of 8, two tasks per thread (so a slowed core can be helped),
    /// from 128 units; below that a step is too short to share.
    /// </summary>
    private int FusedTasks => HiddenSize >= 128 ? Math.Min(2 * WorkerPool.Threads, HiddenSize / 8) : 1;

    /// <summary>Runs the fused single-sequence step t over all hidden units (a single step, for padded sequences).</summary>
    protected void RunFusedStep(int t, int tPrev)
    {
        _fusedJob ??= new FusedJob(this);
        _fusedJob.Step(t, tPrev, FusedTasks);
    }

    /// <summary>The fused single-sequence step t (<see cref="FusedStep"/>) for hidden units [j0, j1), multiples of 8.</summary>
    protected virtual void FusedForward(int t, int tPrev, int j0, int j1) =>
        throw new NotSupportedException($"{GetType().Name} has no fused step.");

    /// <summary>Fused steps as pool work: task p of P takes units in groups of 8, for the whole sequence or one step.</summary>
    private sealed class FusedJob(RecurrentCell cell) : StepwiseJob
    {
        private int _t = -1, _tPrev; // one given step, or -1 for the steps of the sequence in loop order

        public void Step(int t, int tPrev, int tasks)
        {
            (_t, _tPrev) = (t, tPrev);
            RunSteps(1, tasks);
            _t = -1;
        }

        protected override void RunStep(int step, int task, int tasks)
        {
            int h = cell.HiddenSize, groups = h / 8, j0 = groups * task / tasks * 8, j1 = groups * (task + 1) / tasks * 8;
            if (_t < 0 && step == 0)
            {
                // This task's rows of every gate block, checked (and rearranged if W_hh changed) where they will be read.
                for (int q = 0; q < cell.GateRows; q += h)
                {
                    cell._fusedHh!.Refresh(cell.WeightHh.Value.Span, q + j0, q + j1);
                }
            }

            var (t, tPrev) = _t >= 0 ? (_t, _tPrev) : cell.StepAt(step);
            cell.FusedForward(t, tPrev, j0, j1);
        }
    }

    /// <summary>
    /// One step's gate kernel as a pool job: part p of P takes batch rows [B·p/P, B·(p+1)/P), or, with fewer rows than
    /// parts, hidden units in multiples of 8.
    /// </summary>
    private sealed class GateJob(RecurrentCell cell) : ParallelJob
    {
        private int _t, _tPrev, _dOutOffset, _dOutStride;
        private bool _backward;
        private float[] _dOut = [];

        public void Set(int t, int tPrev, bool backward, float[] dOut, int dOutOffset, int dOutStride)
        {
            (_t, _tPrev, _backward, _dOut, _dOutOffset, _dOutStride) = (t, tPrev, backward, dOut, dOutOffset, dOutStride);
        }

        public override void Run(int part, int parts)
        {
            int batch = cell.Batch, h = cell.HiddenSize;
            int b0 = 0, rows = batch, j0 = 0, j1 = h;
            if (batch >= parts)
            {
                b0 = batch * part / parts;
                rows = batch * (part + 1) / parts - b0;
            }
            else
            {
                int groups = (h + 7) / 8;
                j0 = Math.Min(h, groups * part / parts * 8);
                j1 = Math.Min(h, groups * (part + 1) / parts * 8);
            }

            if (rows == 0 || j0 == j1)
            {
                return;
            }

            if (_backward)
            {
                cell.GatesBackward(_t, _tPrev, b0, rows, j0, j1, _dOut, _dOutOffset, _dOutStride);
            }
            else
            {
                cell.GatesForward(_t, _tPrev, b0, rows, j0, j1);
            }
        }
    }

    private static void CopyOrZero(ReadOnlySpan<float> source, Span<float> destination)
    {
        if (source.IsEmpty)
        {
            destination.Clear();
        }
        else
        {
            source.CopyTo(destination);
        }
    }
}
