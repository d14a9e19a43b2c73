using System.Globalization;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using System.Text.Json.Nodes;
using Recur.Models;
using Recur.Modules;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// A lookup table of learnt vectors, as <c>torch.nn.Embedding</c>: effectively computes
/// <c>y[b, t, :] = weight[ids[b, t], :]</c>.
/// </summary>
/// <remarks>
/// <para>Parameter <c>weight</c> (V, E), initialised N(0, 1) as in PyTorch. With a padding index p, row p is zeroed
/// and never learns: backward adds nothing into its gradient, so it stays zero.</para>
/// <para>Shapes (V vocabulary size, E embedding size): ids (B, T) or (B), stored as floats that must be whole
/// numbers in [0, V); output (B, T, E) or (B, E). Ids have no gradient: the input gradient is null.</para>
/// <para>Masking: for (B, T) ids with a padding index, each output carries lengths = (index of the last non-padding
/// id of the row) + 1, so a post-padded batch reaches a recurrent layer as variable-length sequences. Padding ids
/// before the last real id are ordinary (zero-vector) steps. A row made only of padding is refused, naming the row:
/// a recurrent layer needs at least one valid step. Ids that already carry lengths keep them unchanged.</para>
/// <para>The output is a buffer the layer owns and reuses, valid until the next call.</para>
/// </remarks>
public sealed class Embedding : Layer
{
    private readonly Parameter _weight; // (V, E)
    private readonly Parameter[] _parameters;
    private int[] _ids = [];            // (N) ids of the last Forward, N = B·T
    private int[] _lengths = [];        // (B) lengths derived from the padding
    private int _count = -1;            // N of the last Forward; -1 before the first
    private Tensor? _output;            // (B, T, E) or (B, E)

    /// <summary>Creates a table of <paramref name="numEmbeddings"/> vectors of size <paramref name="embeddingDim"/>.</summary>
    /// <param name="numEmbeddings">V: how many ids, at least 1.</param>
    /// <param name="embeddingDim">E: size of each vector, at least 1.</param>
    /// <param name="paddingIndex">The id of padding, in [0, V): its row is zero and frozen, and it marks sequence ends.</param>
    /// <param name="seed">Seed of the initialisation.</param>
    public Embedding(int numEmbeddings, int embeddingDim, int? paddingIndex = null, ulong seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numEmbeddings, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingDim, 1);
        if (paddingIndex is int p && (p < 0 || p >= numEmbeddings))
        {
            throw new ArgumentOutOfRangeException(nameof(paddingIndex), p, $"paddingIndex: expected an id in [0, {numEmbeddings}), got {p}.");
        }

        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        PaddingIndex = paddingIndex;
        _weight = new Parameter("weight", numEmbeddings, embeddingDim);
        _parameters = [_weight];
        var rng = new Rng(seed);
        var w = _weight.Value.Span;
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = (float)rng.NextGaussian();
        }

        if (paddingIndex is int pad)
        {
            w.Slice(pad * embeddingDim, embeddingDim).Clear();
        }
    }

    /// <summary>V: how many ids the table holds.</summary>
    public int NumEmbeddings { get; }

    /// <summary>E: the size of each vector.</summary>
    public int EmbeddingDim { get; }

    /// <summary>The padding id, whose row is zero and frozen; null for none.</summary>
    public int? PaddingIndex { get; }

    /// <summary><c>weight</c>, (V, E).</summary>
    public Parameter Weight => _weight;

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => _parameters;

    /// <inheritdoc />
    public override int[][] OutputShapes(IReadOnlyList<int[]> inputShapes)
    {
        var ids = inputShapes[0];
        if (ids.Length > 1)
        {
            throw new ArgumentException(
                $"{DescribeForErrors()}: expected ids of shape (T) or () per sample, got {Tensor.FormatShape(ids)}.");
        }

        return [[.. ids, EmbeddingDim]];
    }

    /// <inheritdoc />
    public override void Forward(ReadOnlySpan<LayerValue> inputs, Span<LayerValue> outputs)
    {
        var ids = inputs[0].Data;
        if (ids.Rank is not (1 or 2))
        {
            throw new ArgumentException($"{DescribeForErrors()}: expected ids of shape (B, T) or (B), got {ids.ShapeText}.", nameof(inputs));
        }

        int batch = ids.Dim(0), steps = ids.Rank == 2 ? ids.Dim(1) : 1, e = EmbeddingDim;
        _count = batch * steps;
        if (_ids.Length < _count)
        {
            _ids = new int[_count];
        }

        var x = ids.Span;
        for (int n = 0; n < _count; n++)
        {
            float v = x[n];
            if (!(v >= 0 && v < NumEmbeddings && v == MathF.Floor(v)))
            {
                string at = ids.Rank == 2 ? $"[{n / steps}, {n % steps}]" : $"[{n}]";
                throw new ArgumentException(
                    $"{DescribeForErrors()}: ids{at} is {v.ToString(CultureInfo.InvariantCulture)}, expected a whole number in [0, {NumEmbeddings}).", nameof(inputs));
            }

            _ids[n] = (int)v;
        }

        var y = ids.Rank == 2 ? Tensor.Reuse(ref _output, batch, steps, e) : Tensor.Reuse(ref _output, batch, e);
        var w = _weight.Value.Span;
        for (int n = 0; n < _count; n++)
        {
            w.Slice(_ids[n] * e, e).CopyTo(y.Span.Slice(n * e, e));
        }

        var lengths = inputs[0].Lengths;
        if (lengths is null && PaddingIndex is int pad && ids.Rank == 2)
        {
            lengths = PaddedLengths(batch, steps, pad);
        }

        outputs[0] = new LayerValue(y, lengths);
    }

    /// <inheritdoc />
    public override void Backward(ReadOnlySpan<Tensor?> outputGradients, Span<Tensor?> inputGradients)
    {
        if (_count < 0)
        {
            throw new InvalidOperationException("Backward needs a Forward first: there are no ids to scatter into.");
        }

        var dy = outputGradients[0]!;
        int e = EmbeddingDim;
        if (dy.Length != _count * e)
        {
            throw new ArgumentException($"{DescribeForErrors()}: expected an output gradient of {_count} × {e} values, got shape {dy.ShapeText}.", nameof(outputGradients));
        }

        // undoes y[n] = weight[id_n]:  dweight[id_n] += dy[n], repeated ids summing; the padding row stays frozen.
        var dw = _weight.Grad.Span;
        for (int n = 0; n < _count; n++)
        {
            int id = _ids[n];
            if (id != PaddingIndex)
            {
                var row = dw.Slice(id * e, e);
                TensorPrimitives.Add(row, dy.Span.Slice(n * e, e), row);
            }
        }

        inputGradients[0] = null; // ids are not differentiable
    }

    /// <inheritdoc />
    public override JsonObject GetConfig() => new()
    {
        ["num_embeddings"] = NumEmbeddings,
        ["embedding_dim"] = EmbeddingDim,
        ["padding_index"] = PaddingIndex,
    };

    /// <inheritdoc />
    public override string ToString() => $"Embedding({NumEmbeddings}, {EmbeddingDim}, padding_idx={PaddingIndex?.ToString(CultureInfo.InvariantCulture) ?? "None"})";

    // (B) lengths: one past the last id of each row that is not padding.
    private int[] PaddedLengths(int batch, int steps, int pad)
    {
        if (_lengths.Length != batch)
        {
            _lengths = new int[batch];
        }

        for (int b = 0; b < batch; b++)
        {
            int t = steps;
            while (t > 0 && _ids[b * steps + t - 1] == pad)
            {
                t--;
            }

            if (t == 0)
            {
                throw new ArgumentException(
                    $"{DescribeForErrors()}: row {b} of the ids is all padding (id {pad}); every sequence needs at least one real id.", "inputs");
            }

            _lengths[b] = t;
        }

        return _lengths;
    }
}
