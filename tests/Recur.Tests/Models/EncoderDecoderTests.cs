using Recur.Losses;
using Recur.Metrics;
using Recur.Models;
using Recur.Optimizers;
using Recur.Serialization;

namespace Recur.Tests.Models;

/// <summary>Sequence to sequence: teacher forcing in training, greedy and beam decoding in prediction.</summary>
public class EncoderDecoderTests
{
    private const int Bos = 2, Eos = 3, FirstDigit = 4, Vocabulary = FirstDigit + 6;

    [Theory]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void A_trained_model_reverses_unseen_sequences_greedily_and_by_beam_search(CellKind cell)
    {
        var (sources, targets) = ReversalTask(600, seed: 1);
        var seq2seq = new EncoderDecoder(Vocabulary, Vocabulary, 12, 48, cell, seed: 2);
        seq2seq.Model.Compile(new CrossEntropyLoss(), new Adam(seq2seq.Model.Parameters, 0.01f), [new Accuracy()], clipNorm: 1f);
        seq2seq.Model.Fit(EncoderDecoder.TeacherForcing(sources, targets, Bos, Eos), epochs: 40, batchSize: 32, seed: 3);

        var (testSources, testTargets) = ReversalTask(50, seed: 99);
        int greedyRight = 0, beamRight = 0;
        for (int i = 0; i < testSources.Length; i++)
        {
            var greedy = seq2seq.Greedy(testSources[i], Bos, Eos, maxLength: 10);
            var beam = seq2seq.Beam(testSources[i], 3, Bos, Eos, maxLength: 10);
            greedyRight += greedy.Tokens.SequenceEqual(testTargets[i]) ? 1 : 0;
            beamRight += beam[0].Tokens.SequenceEqual(testTargets[i]) ? 1 : 0;
            Assert.True(beam.Count <= 3);
        }

        Assert.True(greedyRight >= 40, $"greedy decoding reversed {greedyRight}/50 unseen sequences");
        Assert.True(beamRight >= 40, $"beam search reversed {beamRight}/50 unseen sequences");
    }

    [Fact]
    public void Beam_search_of_width_one_is_greedy_decoding_and_scores_are_log_probabilities()
    {
        var seq2seq = new EncoderDecoder(Vocabulary, Vocabulary, 6, 8, CellKind.Lstm, numLayers: 2, seed: 5);
        int[] source = [4, 5, 6, 7];
        var greedy = seq2seq.Greedy(source, Bos, Eos, maxLength: 6);
        var beam1 = seq2seq.Beam(source, 1, Bos, Eos, maxLength: 6);
        Assert.Equal(greedy.Tokens, beam1[0].Tokens);
        Assert.Equal(greedy.LogProbability, beam1[0].LogProbability);
        Assert.True(greedy.LogProbability < 0);

        var beam4 = seq2seq.Beam(source, 4, Bos, Eos, maxLength: 6);
        Assert.All(beam4, h => Assert.True(h.LogProbability <= 0));
        Assert.Equal(beam4.Count, beam4.Select(h => string.Join(",", h.Tokens) + h.Finished).Distinct().Count());
    }

    [Fact]
    public void A_saved_encoder_decoder_decodes_the_same_after_loading()
    {
        var seq2seq = new EncoderDecoder(Vocabulary, Vocabulary, 6, 8, CellKind.Gru, seed: 7);
        string path = Path.Combine(Directory.CreateTempSubdirectory("recur-s2s").FullName, "s2s.safetensors");
        ModelFile.Save(seq2seq.Model, path);
        var loaded = EncoderDecoder.FromModel(ModelFile.Load(path).Model);
        int[] source = [5, 4, 9];
        Assert.Equal(seq2seq.Beam(source, 3, Bos, Eos, 8).Select(h => h.Tokens), loaded.Beam(source, 3, Bos, Eos, 8).Select(h => h.Tokens));

        var e = Assert.Throws<ArgumentException>(() => EncoderDecoder.FromModel(TrainingTests.TrainSmallModel(1).Model));
        Assert.Contains("not an encoder-decoder", e.Message);
    }

    private static (int[][] Sources, int[][] Targets) ReversalTask(int count, ulong seed)
    {
        var rng = new Rng(seed);
        var sources = new int[count][];
        for (int i = 0; i < count; i++)
        {
            sources[i] = Enumerable.Range(0, 3 + rng.NextInt(3)).Select(_ => FirstDigit + rng.NextInt(Vocabulary - FirstDigit)).ToArray();
        }

        return (sources, sources.Select(s => s.Reverse().ToArray()).ToArray());
    }
}
