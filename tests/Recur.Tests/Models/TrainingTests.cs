using Recur.Data;
using Recur.Layers;
using Recur.Losses;
using Recur.Metrics;
using Recur.Models;
using Recur.Optimizers;
using Recur.Serialization;
using Recur.Tensors;
using Recur.Training;

namespace Recur.Tests.Models;

/// <summary>Compile, fit, evaluate, predict, save, load and resume, end to end.</summary>
public class TrainingTests
{
    // The course notes' next-word example: every prefix of the text predicts the word that follows it.
    private const string Notes = "The cat chased the mouse . The mouse ran into the hole .";

    [Fact]
    public void The_notes_next_word_model_reaches_full_training_accuracy()
    {
        var tokenizer = WordTokenizer.Build([Notes]);
        var ids = tokenizer.Encode(Notes);
        var prefixes = Enumerable.Range(1, ids.Length - 1).Select(n => ids[..n]).ToArray();
        var next = Tensor.FromValues(ids[1..].Select(i => (float)i).ToArray(), ids.Length - 1);
        var data = new Dataset(DataField.FromTokens(prefixes), DataField.FromTensor(next));

        int vocab = tokenizer.Vocabulary.Count;
        var model = new Sequential(
            new Input(-1),
            new Embedding(vocab, 8, paddingIndex: Vocabulary.PadId, seed: 1),
            new Lstm(8, 16, seed: 2) { ReturnSequences = false },
            new Dense(16, vocab, seed: 3));
        var accuracy = new Accuracy();
        model.Compile(new CrossEntropyLoss(), new RmsProp(model.Parameters, 0.01f), [accuracy]);

        var history = model.Fit(data, epochs: 20, batchSize: 16, seed: 4);

        Assert.Equal(20, history.Epochs.Count);
        Assert.True(history["loss"][^1] < history["loss"][0] / 4, $"loss {history["loss"][0]:F3} → {history["loss"][^1]:F3}");
        Assert.Equal(1.0, model.Evaluate(data)["accuracy"]);
    }

    [Fact]
    public void The_same_seeds_give_the_same_run_bit_for_bit()
    {
        var a = TrainSmallModel(epochs: 3);
        var b = TrainSmallModel(epochs: 3);
        foreach (var p in a.Model.Parameters)
        {
            Assert.Equal(p.Value.Span.ToArray(), b.Model.GetParameter(p.Name).Value.Span.ToArray());
        }

        Assert.Equal(a.History["loss"], b.History["loss"]);
    }

    [Fact]
    public void A_saved_model_loads_with_identical_predictions_and_its_extras()
    {
        var (model, history, data) = TrainSmallModel(epochs: 2);
        string path = TempFile();
        var tokenizer = WordTokenizer.Build(["a small vocabulary"]);
        ModelFile.Save(model, path, new System.Text.Json.Nodes.JsonObject { ["tokenizer"] = tokenizer.ToJson() }, history);

        var loaded = ModelFile.Load(path);
        var x = data.Batch([0, 1, 2]).Inputs;
        model.Training = false;
        var expected = model.Forward(x)[0].Data.Clone();
        Assert.Equal(expected.Span.ToArray(), loaded.Model.Forward(x)[0].Data.Span.ToArray());
        Assert.Equal(model.Summary(), loaded.Model.Summary());
        Assert.Equal(tokenizer.ToJson(), loaded.Extras["tokenizer"]!.GetValue<string>());
        Assert.Equal(history["loss"], loaded.History!["loss"]);
    }

    [Fact]
    public void Resuming_from_a_checkpoint_reproduces_the_uninterrupted_run_bit_for_bit()
    {
        var straight = TrainSmallModel(epochs: 4);

        var first = TrainSmallModel(epochs: 2);
        string path = TempFile();
        ModelFile.SaveCheckpoint(first.Model, path);
        var resumed = ModelFile.Load(path).Model;
        Assert.Equal(2, resumed.EpochsTaken);
        resumed.Fit(first.Data, epochs: 4, batchSize: 8, seed: 5);

        foreach (var p in straight.Model.Parameters)
        {
            Assert.Equal(p.Value.Span.ToArray(), resumed.GetParameter(p.Name).Value.Span.ToArray());
        }
    }

    [Fact]
    public void A_diverging_loss_stops_training_naming_the_step_and_leaves_the_checkpoint_intact()
    {
        var (model, _, data) = TrainSmallModel(epochs: 1);
        string path = TempFile();
        ModelFile.SaveCheckpoint(model, path);
        byte[] before = File.ReadAllBytes(path);

        model.Compile(new MeanSquaredError(), new Sgd(model.Parameters, 1e30f));
        var e = Assert.Throws<TrainingDivergedException>(() =>
            model.Fit(data, epochs: 3, batchSize: 8, callbacks: [new CheckpointEveryEpoch(path)]));
        Assert.Contains("step", e.Message);
        Assert.True(e.Step >= 1);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void The_best_model_checkpoint_and_early_stopping_keep_the_best_epoch()
    {
        var (model, _, data) = TrainSmallModel(epochs: 1);
        string path = TempFile();
        var checkpoint = new ModelCheckpoint(path, monitor: "val_loss");
        var stopping = new EarlyStopping("val_loss", patience: 2);
        var history = model.Fit(data, data, epochs: 40, batchSize: 8, seed: 5, callbacks: [checkpoint, stopping]);

        int best = Array.IndexOf(history["val_loss"], history["val_loss"].Min());
        Assert.Equal(best + 1, checkpoint.SavedEpoch); // the history of a resumed model starts at its epoch 1
        var loaded = ModelFile.Load(path);
        Assert.Equal(checkpoint.SavedEpoch + 1, loaded.Model.EpochsTaken);
        Assert.Equal(history["val_loss"].Min(), loaded.Model.Evaluate(data, 8)["loss"], 6);
    }

    [Fact]
    public void A_learning_rate_schedule_sets_the_rate_of_every_batch()
    {
        var (model, _, data) = TrainSmallModel(epochs: 1);
        var history = model.Fit(data, epochs: 4, batchSize: 8, seed: 5, callbacks: [new LearningRateScheduler(new StepDecaySchedule(0.01, 1, 0.5))]);
        Assert.Equal(new[] { 0.005, 0.0025, 0.00125 }, history["lr"].Select(v => Math.Round(v, 6)));
    }

    [Fact]
    public void Bad_model_files_give_a_clear_error()
    {
        var (model, _, _) = TrainSmallModel(epochs: 1);
        string good = TempFile();
        ModelFile.Save(model, good);
        byte[] bytes = File.ReadAllBytes(good);

        string truncated = TempFile();
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        Assert.Contains(truncated, Assert.Throws<InvalidDataException>(() => ModelFile.Load(truncated)).Message);

        string plainStateDict = TempFile();
        StateDictFile.Save(new Lstm(2, 3), plainStateDict);
        Assert.Contains("not a Recur model", Assert.Throws<InvalidDataException>(() => ModelFile.Load(plainStateDict)).Message);

        // Weights of another architecture under this file's graph: the mismatch is named.
        var other = new Sequential(new Input(-1, 2), new Gru(2, 5, seed: 1) { ReturnSequences = false }, new Dense(5, 1));
        var tensors = other.StateDict();
        var file = SafeTensors.Read(good);
        string forged = TempFile();
        SafeTensors.Write(forged, tensors, file.Metadata);
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(forged));
        Assert.Contains("cannot be rebuilt", e.Message);
    }

    internal static (Model Model, History History, Dataset Data) TrainSmallModel(int epochs)
    {
        // y = sum of a short noisy sequence's values: a many-to-one regression with variable lengths.
        var rng = new Rng(42);
        var sequences = new float[24][];
        var targets = new float[24];
        for (int i = 0; i < sequences.Length; i++)
        {
            sequences[i] = new float[2 * (3 + rng.NextInt(5))];
            for (int k = 0; k < sequences[i].Length; k++)
            {
                sequences[i][k] = (float)rng.NextGaussian();
            }

            targets[i] = sequences[i].Sum() / 4;
        }

        var data = new Dataset(DataField.FromSequences(sequences, 2), DataField.FromTensor(Tensor.FromValues(targets, 24, 1)));
        var model = new Sequential(
            new Input(-1, 2),
            new Lstm(2, 6, numLayers: 2, dropout: 0.2f, seed: 7) { ReturnSequences = false },
            new Dropout(0.1f, seed: 8),
            new Dense(6, 1, seed: 9));
        model.Compile(new MeanSquaredError(), new Adam(model.Parameters, 0.01f), [new RootMeanSquaredError()], clipNorm: 1f, clipValue: 0.5f);
        var history = model.Fit(data, epochs: epochs, batchSize: 8, seed: 5);
        return (model, history, data);
    }

    private static string TempFile() => Path.Combine(Directory.CreateTempSubdirectory("recur-model").FullName, "model.safetensors");

    private sealed class CheckpointEveryEpoch(string path) : Callback
    {
        public override void OnEpochEnd(TrainingContext context, EpochLog log) => ModelFile.SaveCheckpoint(context.Model, path);
    }
}
