using Recur.Data;
using Recur.Layers;
using Recur.Losses;
using Recur.Metrics;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Training;

namespace Recur.Tests.Models;

/// <summary>The sequence modes of the course notes that the other tests do not already train.</summary>
public class SequenceModesTests
{
    [Fact]
    public void One_to_many_a_vector_seeds_a_generated_sequence()
    {
        // Input: a digit d one-hot; output: the five digits d, d+1, ..., d+4 (mod 10).
        const int digits = 10, steps = 5;
        var inputs = OneHot.Encode(Enumerable.Range(0, digits).ToArray(), digits);
        var targets = new Tensor(digits, steps);
        for (int d = 0; d < digits; d++)
        {
            for (int t = 0; t < steps; t++)
            {
                targets[d, t] = (d + t) % digits;
            }
        }

        var model = new Sequential(
            new Input(digits),
            new RepeatVector(steps),
            new Lstm(digits, 32, seed: 1),
            new Dense(32, digits, seed: 2));
        var accuracy = new Accuracy();
        model.Compile(new CrossEntropyLoss(), new Adam(model.Parameters, 0.02f), [accuracy]);
        model.Fit(Dataset.FromTensors(inputs, targets), epochs: 150, batchSize: 10, seed: 3);
        Assert.Equal(1.0, model.Evaluate(Dataset.FromTensors(inputs, targets))["accuracy"]);
    }

    [Fact]
    public void Many_to_many_aligned_tags_every_step()
    {
        // Tag each digit of a sequence with whether it is larger than the one before (tagging, aligned outputs).
        var rng = new Rng(5);
        var sequences = new int[300][];
        var tags = new int[300][];
        for (int i = 0; i < sequences.Length; i++)
        {
            sequences[i] = Enumerable.Range(0, 4 + rng.NextInt(6)).Select(_ => 2 + rng.NextInt(10)).ToArray();
            tags[i] = sequences[i].Select((v, t) => t > 0 && v > sequences[i][t - 1] ? 1 : 0).ToArray();
        }

        var data = new Dataset(DataField.FromTokens(sequences), DataField.FromTokens(tags, padValue: -100));
        var model = new Sequential(
            new Input(-1),
            new Embedding(12, 8, paddingIndex: 0, seed: 1),
            new Gru(8, 24, bidirectional: true, seed: 2),
            new Dense(48, 2, seed: 3));
        model.Compile(new CrossEntropyLoss(), new Adam(model.Parameters, 0.01f), [new Accuracy()]);
        model.Fit(data, epochs: 30, batchSize: 32, seed: 4, bucketing: true);
        Assert.True(model.Evaluate(data)["accuracy"] > 0.97);
    }
}
