using Recur.Layers;
using Recur.Tensors;
using Recur.Training;

namespace Recur.Models;

/// <summary>The recurrent cell of a model built by Recur.</summary>
public enum CellKind
{
    /// <summary>Elman RNN with tanh.</summary>
    Rnn,

    /// <summary>Long short-term memory.</summary>
    Lstm,

    /// <summary>Gated recurrent unit.</summary>
    Gru,
}

/// <summary>A decoded output sequence and its total log-probability (natural log).</summary>
/// <param name="Tokens">The tokens, without the begin marker and without the end marker.</param>
/// <param name="LogProbability">Σ log p(token | prefix, source), including the end marker when it was produced.</param>
/// <param name="Finished">Whether the end marker was produced (else the length limit stopped it).</param>
public sealed record Hypothesis(int[] Tokens, double LogProbability, bool Finished);

/// <summary>
/// Many-to-many encoder-decoder (sequence to sequence): the encoder reads the source and its final state starts the
/// decoder, which emits the target one token at a time. Trained with teacher forcing (the decoder reads the true
/// previous token: input <c>[bos, y1, ..., yn]</c>, target <c>[y1, ..., yn, eos]</c>); decoded greedily or by beam
/// search, feeding back its own predictions.
/// </summary>
/// <remarks>
/// <see cref="Model"/> is the training graph: inputs source ids (B, Ts) and decoder input ids (B, Tt), output logits
/// (B, Tt, Vt). Ids 0 are padding. Compile and Fit it like any model; save it with <c>ModelFile</c> and rebuild the
/// decoder around a loaded model with <see cref="FromModel"/>.
/// </remarks>
public sealed class EncoderDecoder
{
    private readonly Embedding _sourceEmbedding, _targetEmbedding;
    private readonly RecurrentLayer _encoder, _decoder;
    private readonly Dense _head;

    /// <summary>Builds the training graph.</summary>
    /// <param name="sourceVocabulary">Vs, source ids in [0, Vs) with 0 for padding.</param>
    /// <param name="targetVocabulary">Vt, target ids in [0, Vt) with 0 for padding, and a begin and an end marker.</param>
    /// <param name="embeddingSize">E, for both embeddings.</param>
    /// <param name="hiddenSize">H, for encoder and decoder.</param>
    /// <param name="cell">The recurrent cell of both.</param>
    /// <param name="numLayers">Stacked layers of both (the encoder's final states start the decoder's layers).</param>
    /// <param name="seed">Seed of the initialisation.</param>
    public EncoderDecoder(int sourceVocabulary, int targetVocabulary, int embeddingSize, int hiddenSize,
        CellKind cell = CellKind.Lstm, int numLayers = 1, ulong seed = 0)
    {
        var rng = new Rng(seed);
        _sourceEmbedding = new Embedding(sourceVocabulary, embeddingSize, paddingIndex: 0, seed: rng.NextUInt64()) { Name = "source_embedding" };
        _targetEmbedding = new Embedding(targetVocabulary, embeddingSize, paddingIndex: 0, seed: rng.NextUInt64()) { Name = "target_embedding" };
        _encoder = CreateRecurrent(cell, embeddingSize, hiddenSize, numLayers, rng.NextUInt64(), encoder: true);
        _decoder = CreateRecurrent(cell, embeddingSize, hiddenSize, numLayers, rng.NextUInt64(), encoder: false);
        _head = new Dense(hiddenSize, targetVocabulary, seed: rng.NextUInt64()) { Name = "head" };

        var source = new Input(-1) { Name = "source" };
        var target = new Input(-1) { Name = "decoder_input" };
        var encoded = _encoder.CallMany(_sourceEmbedding.Call(source.Symbol));
        var decoded = _decoder.CallMany([_targetEmbedding.Call(target.Symbol), .. encoded[1..]]);
        Model = new Model([source.Symbol, target.Symbol], [_head.Call(decoded[0])]);
    }

    private EncoderDecoder(Model model)
    {
        Model = model;
        _sourceEmbedding = (Embedding)model.GetLayer("source_embedding");
        _targetEmbedding = (Embedding)model.GetLayer("target_embedding");
        _encoder = (RecurrentLayer)model.GetLayer("encoder");
        _decoder = (RecurrentLayer)model.GetLayer("decoder");
        _head = (Dense)model.GetLayer("head");
    }

    /// <summary>The training graph (teacher forcing).</summary>
    public Model Model { get; }

    /// <summary>Wraps a model built by this class (for instance loaded from a file) to decode with it.</summary>
    /// <exception cref="ArgumentException">The model lacks the encoder-decoder's named layers.</exception>
    public static EncoderDecoder FromModel(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        try
        {
            return new EncoderDecoder(model);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidCastException)
        {
            throw new ArgumentException($"model: not an encoder-decoder built by Recur ({e.Message}).", nameof(model), e);
        }
    }

    /// <summary>
    /// Teacher-forcing samples: decoder inputs <c>[bos, y...]</c> and targets <c>[y..., eos]</c>, padded per batch (targets
    /// with -100, which the cross-entropy ignores).
    /// </summary>
    public static Dataset TeacherForcing(IReadOnlyList<int[]> sources, IReadOnlyList<int[]> targets, int bosId, int eosId)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(targets);
        if (sources.Count != targets.Count)
        {
            throw new ArgumentException($"targets: expected one per source ({sources.Count}), got {targets.Count}.", nameof(targets));
        }

        var decoderInputs = targets.Select(t => (int[])[bosId, .. t]).ToArray();
        var decoderTargets = targets.Select(t => (int[])[.. t, eosId]).ToArray();
        return new Dataset(
            [DataField.FromTokens(sources), DataField.FromTokens(decoderInputs)],
            [DataField.FromTokens(decoderTargets, padValue: -100)]);
    }

    /// <summary>Greedy decoding: at each step the most probable token, until the end marker or <paramref name="maxLength"/> tokens.</summary>
    public Hypothesis Greedy(ReadOnlySpan<int> source, int bosId, int eosId, int maxLength) =>
        Beam(source, 1, bosId, eosId, maxLength)[0];

    /// <summary>
    /// Beam search: keeps the <paramref name="beamWidth"/> most probable prefixes at each step. Returns up to
    /// beamWidth hypotheses, best first by log-probability per token (finished ones before unfinished).
    /// With width 1 this is greedy decoding.
    /// </summary>
    public IReadOnlyList<Hypothesis> Beam(ReadOnlySpan<int> source, int beamWidth, int bosId, int eosId, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(beamWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        if (source.IsEmpty)
        {
            throw new ArgumentException("source: expected at least one token, got none.", nameof(source));
        }

        int vocabulary = _head.OutFeatures;
        foreach (int id in (ReadOnlySpan<int>)[bosId, eosId])
        {
            ArgumentOutOfRangeException.ThrowIfNegative(id);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, vocabulary);
        }

        bool wasTraining = Model.Training;
        Model.Training = false;
        try
        {
            return Search(source, beamWidth, bosId, eosId, maxLength);
        }
        finally
        {
            Model.Training = wasTraining;
        }
    }

    private List<Hypothesis> Search(ReadOnlySpan<int> source, int beamWidth, int bosId, int eosId, int maxLength)
    {
        // Encode once: states (1, L, H) in the graph's batch-first layout.
        var ids = Tensor.FromValues(source.ToArray().Select(v => (float)v).ToArray(), 1, source.Length);
        var embedded = new LayerValue[1];
        _sourceEmbedding.Forward([new LayerValue(ids)], embedded);
        var encoded = new LayerValue[_encoder.OutputCount];
        _encoder.Forward(embedded, encoded);
        int layers = _decoder.NumLayers, h = _decoder.HiddenSize;
        var h0 = encoded[1].Data.Clone();
        var c0 = _decoder.HasCellState ? encoded[2].Data.Clone() : null;

        var beams = new List<(int[] Tokens, double Score, RecurrentState State)>
        {
            ([], 0, new RecurrentState(Transposed(h0, layers, h), c0 is null ? null : Transposed(c0, layers, h))),
        };
        var finished = new List<Hypothesis>();
        for (int step = 0; step < maxLength && beams.Count > 0; step++)
        {
            int b = beams.Count;
            var stepIds = Tensor.FromValues(beams.Select(x => (float)(x.Tokens.Length == 0 ? bosId : x.Tokens[^1])).ToArray(), b, 1);
            var states = Stack(beams.Select(x => x.State).ToArray(), layers, h);
            var emb = new LayerValue[1];
            _targetEmbedding.Forward([new LayerValue(stepIds)], emb);
            var run = _decoder.ForwardBatchFirst(emb[0].Data, states);
            var logits = _head.Forward(run.Output); // (b, 1, V)

            var candidates = new List<(int Beam, int Token, double Score)>();
            for (int i = 0; i < b; i++)
            {
                var row = logits.Span.Slice(i * logits.Dim(2), logits.Dim(2));
                double logZ = LogSumExp(row);
                foreach (int v in TopK(row, beamWidth, excluded: bosId))
                {
                    candidates.Add((i, v, beams[i].Score + row[v] - logZ));
                }
            }

            var next = new List<(int[] Tokens, double Score, RecurrentState State)>();
            foreach (var (beam, token, score) in candidates.OrderByDescending(c => c.Score).Take(beamWidth))
            {
                if (token == eosId)
                {
                    finished.Add(new Hypothesis(beams[beam].Tokens, score, true));
                }
                else
                {
                    next.Add(([.. beams[beam].Tokens, token], score, Row(run.FinalState, beam, b, layers, h)));
                }
            }

            // Stop once beamWidth hypotheses have ended.
            beams = finished.Count >= beamWidth ? [] : next;
        }

        finished.AddRange(beams.Select(x => new Hypothesis(x.Tokens, x.Score, false)));
        return finished
            .OrderByDescending(x => x.Finished)
            .ThenByDescending(x => x.LogProbability / (x.Tokens.Length + (x.Finished ? 1 : 0)))
            .Take(beamWidth)
            .ToList();
    }

    private static RecurrentLayer CreateRecurrent(CellKind cell, int input, int hidden, int layers, ulong seed, bool encoder)
    {
        RecurrentLayer layer = cell switch
        {
            CellKind.Lstm => new Lstm(input, hidden, layers, batchFirst: true, seed: seed) { ReturnSequences = !encoder, ReturnState = encoder },
            CellKind.Gru => new Gru(input, hidden, layers, batchFirst: true, seed: seed) { ReturnSequences = !encoder, ReturnState = encoder },
            CellKind.Rnn => new Rnn(input, hidden, layers, batchFirst: true, seed: seed) { ReturnSequences = !encoder, ReturnState = encoder },
            _ => throw new ArgumentOutOfRangeException(nameof(cell), cell, "cell: expected Rnn, Lstm or Gru."),
        };
        layer.Name = encoder ? "encoder" : "decoder";
        return layer;
    }

    // (1, L, H) graph layout → (L, 1, H) layer layout (the same values for one sequence).
    private static Tensor Transposed(Tensor state, int layers, int h) => state.Reshape(layers, 1, h);

    // Beam states (L, 1, H) each → one (L, B, H) batch.
    private static RecurrentState Stack(RecurrentState[] states, int layers, int h)
    {
        Tensor Join(Func<RecurrentState, Tensor> pick)
        {
            var t = new Tensor(layers, states.Length, h);
            for (int l = 0; l < layers; l++)
            {
                for (int b = 0; b < states.Length; b++)
                {
                    pick(states[b]).Span.Slice(l * h, h).CopyTo(t.Span.Slice((l * states.Length + b) * h, h));
                }
            }

            return t;
        }

        return new RecurrentState(Join(s => s.Hidden), states[0].Cell is null ? null : Join(s => s.Cell!));
    }

    // Row b of a (L, B, H) batch state → its own (L, 1, H) state.
    private static RecurrentState Row(RecurrentState state, int b, int batch, int layers, int h)
    {
        Tensor Pick(Tensor t)
        {
            var r = new Tensor(layers, 1, h);
            for (int l = 0; l < layers; l++)
            {
                t.Span.Slice((l * batch + b) * h, h).CopyTo(r.Span.Slice(l * h, h));
            }

            return r;
        }

        return new RecurrentState(Pick(state.Hidden), state.Cell is null ? null : Pick(state.Cell));
    }

    private static double LogSumExp(ReadOnlySpan<float> row)
    {
        float max = System.Numerics.Tensors.TensorPrimitives.Max(row);
        double sum = 0;
        foreach (float v in row)
        {
            sum += Math.Exp(v - max);
        }

        return max + Math.Log(sum);
    }

    // The k most probable tokens, never padding (id 0) or the begin marker: a decoder must not emit them.
    private static int[] TopK(ReadOnlySpan<float> row, int k, int excluded)
    {
        var values = row.ToArray();
        return Enumerable.Range(1, values.Length - 1).Where(i => i != excluded)
            .OrderByDescending(i => values[i]).ThenBy(i => i).Take(k).ToArray();
    }
}
