using Recur.Tensors;
using Recur.Training;

namespace Recur.Cli.Text;

/// <summary>
/// A token sequence cut into B contiguous streams read T tokens at a time, for truncated BPTT with stateful layers:
/// sample k·B + b is chunk k of stream b, so with shuffling off, row b of each batch continues row b of the batch
/// before and the carried state is the true history. Streams rather than overlapping windows: every token is
/// predicted once per epoch, with all the context before it in its stream, at the cost of one chunk per step.
/// The last (S mod T) tokens of each stream are left out.
/// </summary>
internal sealed class TokenStreams
{
    /// <summary>Cuts <paramref name="ids"/> into <paramref name="batch"/> streams of chunks of <paramref name="steps"/>.</summary>
    /// <exception cref="CliException">Too few tokens for one chunk per stream; the message names <paramref name="what"/>.</exception>
    public TokenStreams(int[] ids, int batch, int steps, string what)
    {
        int streamLength = (ids.Length - 1) / batch, chunks = streamLength / steps;
        if (chunks < 1)
        {
            throw new CliException(
                $"the {what} is too short: {batch} streams (--batch) of {steps} tokens (--bptt) need at least {batch * steps + 1} tokens, got {ids.Length}");
        }

        Inputs = new Tensor(chunks * batch, steps);
        Targets = new Tensor(chunks * batch, steps);
        var x = Inputs.Span;
        var y = Targets.Span;
        for (int k = 0; k < chunks; k++)
        {
            for (int b = 0; b < batch; b++)
            {
                int row = (k * batch + b) * steps, at = b * streamLength + k * steps;
                for (int t = 0; t < steps; t++)
                {
                    x[row + t] = ids[at + t];
                    y[row + t] = ids[at + t + 1];
                }
            }
        }
    }

    /// <summary>(N, T) input ids, N = chunks · B.</summary>
    public Tensor Inputs { get; }

    /// <summary>(N, T) target ids: the token after each input.</summary>
    public Tensor Targets { get; }

    /// <summary>Number of predicted tokens.</summary>
    public int Count => Targets.Length;

    public Dataset ToDataset() => Dataset.FromTensors(Inputs, Targets);

    /// <summary>Each (input, target) pair, in order: what the model and the baselines are scored on.</summary>
    public IEnumerable<(int Input, int Target)> Pairs()
    {
        for (int i = 0; i < Count; i++)
        {
            yield return ((int)Inputs.Span[i], (int)Targets.Span[i]);
        }
    }
}
