using Recur.Losses;

namespace Recur.Metrics;

/// <summary>
/// Perplexity of a (B, V) or (B, T, V) logit prediction against class targets: exp of the mean cross-entropy (nats)
/// over all counted tokens since the last reset,
/// <code>
/// perplexity = exp( Σ_batches Σ_tokens nll / Σ_batches tokens )
/// </code>
/// not a mean of per-batch perplexities. Padding and targets equal to the ignore index do not count.
/// </summary>
/// <param name="ignoreIndex">Targets with this value do not count.</param>
public sealed class Perplexity(int ignoreIndex = -100) : LossMeanMetric(new CrossEntropyLoss(ignoreIndex))
{
    /// <inheritdoc />
    public override string Name => "perplexity";

    /// <inheritdoc />
    protected override double Finish(double meanLoss) => Math.Exp(meanLoss);
}
