namespace Recur.Cli.Demo;

/// <summary>
/// A text as character ids, split into a training head and a held-out validation tail, served as truncated-BPTT
/// chunks: the text is cut into B contiguous streams, and consecutive chunks of a stream follow each other, so the
/// LSTM state can be carried from one chunk to the next.
/// </summary>
internal sealed class CharCorpus
{
    private readonly int[] _train; // ids of the training head
    private readonly int[] _val;   // ids of the validation tail

    public CharCorpus(string text, double valFraction)
    {
        Vocabulary = text.Distinct().Order().ToArray();
        var index = new Dictionary<char, int>();
        for (int i = 0; i < Vocabulary.Length; i++)
        {
            index[Vocabulary[i]] = i;
        }

        var ids = text.Select(c => index[c]).ToArray();
        int valLength = (int)(ids.Length * valFraction);
        _train = ids[..^valLength];
        _val = ids[^valLength..];
    }

    /// <summary>The distinct characters, sorted: id i is Vocabulary[i]. V = its length.</summary>
    public char[] Vocabulary { get; }

    public int TrainLength => _train.Length;

    public int ValLength => _val.Length;

    /// <summary>Entropy in nats/char of the training text's character frequencies: the loss of a model that ignores context.</summary>
    public double UnigramEntropy()
    {
        var counts = new int[Vocabulary.Length];
        foreach (int id in _train)
        {
            counts[id]++;
        }

        return -counts.Where(c => c > 0).Sum(c => (double)c / _train.Length * Math.Log((double)c / _train.Length));
    }

    /// <summary>The training streams: <paramref name="batch"/> streams, each read in chunks of <paramref name="steps"/>.</summary>
    public ChunkStream Train(int batch, int steps) => new(_train, batch, steps, "training head");

    /// <summary>The validation streams, with fewer than <paramref name="batch"/> streams if the tail is short.</summary>
    public ChunkStream Validation(int batch, int steps) =>
        new(_val, Math.Clamp((_val.Length - 1) / steps, 1, batch), Math.Min(steps, Math.Max(1, _val.Length - 1)), "validation tail");

    public int Id(char c) => Array.BinarySearch(Vocabulary, c);
}

/// <summary>B contiguous streams of a text read T characters at a time: inputs and next-character targets, (T, B) each.</summary>
internal sealed class ChunkStream
{
    private readonly int[] _ids;
    private readonly int _streamLength; // S: characters per stream (inputs; the targets reach one further)
    private int _position;              // offset of the next chunk within every stream

    public ChunkStream(int[] ids, int batch, int steps, string what)
    {
        if (ids.Length < batch * steps + 1)
        {
            throw new CliException(
                $"the text is too short: {batch} streams of {steps} characters need a {what} of at least {batch * steps + 1} characters, got {ids.Length}");
        }

        _ids = ids;
        Batch = batch;
        Steps = steps;
        _streamLength = (ids.Length - 1) / batch;
        Inputs = new int[steps * batch];
        Targets = new int[steps * batch];
    }

    /// <summary>B: streams, the batch size.</summary>
    public int Batch { get; }

    /// <summary>T: characters per full chunk.</summary>
    public int Steps { get; }

    /// <summary>Chunks in one pass over the streams (the last one may be shorter than T).</summary>
    public int ChunksPerPass => (_streamLength + Steps - 1) / Steps;

    /// <summary>(T, B) input ids of the last chunk, row-major: [t·B + b].</summary>
    public int[] Inputs { get; }

    /// <summary>(T, B) target ids: the character after each input.</summary>
    public int[] Targets { get; }

    /// <summary>
    /// Fills <see cref="Inputs"/> and <see cref="Targets"/> with the next chunk and returns its length (≤ T).
    /// <paramref name="restarted"/> is true when the streams wrapped to their start, where the carried state must be reset.
    /// </summary>
    public int Next(out bool restarted)
    {
        restarted = _position == 0;
        int steps = Math.Min(Steps, _streamLength - _position);
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < Batch; b++)
            {
                int at = b * _streamLength + _position + t;
                Inputs[t * Batch + b] = _ids[at];
                Targets[t * Batch + b] = _ids[at + 1];
            }
        }

        _position += steps;
        if (_position >= _streamLength)
        {
            _position = 0;
        }

        return steps;
    }
}
