namespace Recur.Data;

/// <summary>How a <see cref="Batcher"/> cuts an epoch into batches.</summary>
public record BatcherOptions
{
    /// <summary>B, the samples per batch (the last batch may be smaller unless <see cref="DropLast"/>).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Whether each epoch visits the samples in a new random order (validation and test sets: false).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Whether to leave out a last batch smaller than <see cref="BatchSize"/>.</summary>
    public bool DropLast { get; init; }

    /// <summary>The seed of the shuffles: epoch e's order depends only on (seed, e), so a resumed run repeats it.</summary>
    public ulong Seed { get; init; }
}

/// <summary>How a <see cref="SequenceBatcher"/> pads and groups variable-length sequences.</summary>
public sealed record SequenceBatcherOptions : BatcherOptions
{
    /// <summary>Padding side, truncation and pad id; its MaxLength caps every batch's T.</summary>
    public PaddingOptions Padding { get; init; } = new();

    /// <summary>
    /// Whether to group sequences of similar length into the same batch, so each batch pads to a shorter T.
    /// The shuffled samples are taken <see cref="BucketBatches"/> batches at a time, sorted by length, cut into
    /// batches, and the batches are shuffled: batches stay random but their members are alike in length.
    /// </summary>
    public bool Bucketing { get; init; }

    /// <summary>How many batches' worth of samples are sorted together when <see cref="Bucketing"/>.</summary>
    public int BucketBatches { get; init; } = 50;
}
