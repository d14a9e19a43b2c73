using System.Diagnostics;
using Recur.Data;
using Recur.Layers;
using Recur.Losses;
using Recur.Metrics;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Tests.Data;
using Recur.Training;
using Xunit.Abstractions;

namespace Recur.Tests.Models;

/// <summary>Small models on the bundled real data beat the baselines a user would compare against.</summary>
public class RealDataTests(ITestOutputHelper output)
{
    [Fact]
    public void A_sentiment_classifier_beats_the_majority_class_on_held_out_sentences()
    {
        var clock = Stopwatch.StartNew();
        var amazon = LabelledSentences.Read(DataTestFiles.Amazon);
        var imdb = LabelledSentences.Read(DataTestFiles.Imdb);
        var texts = amazon.Texts.Concat(imdb.Texts).ToArray();
        var labels = amazon.Labels.Concat(imdb.Labels).ToArray();
        var split = Splits.Stratified(labels, 0.8, 0.0, seed: 1);

        var tokenizer = WordTokenizer.Build(split.Train.Select(i => texts[i]), options: new VocabularyOptions { MaxSize = 3000, MinFrequency = 2 });
        int[][] Encode(int[] rows) => rows.Select(i => tokenizer.Encode(texts[i]) is { Length: > 0 } ids ? ids : [Vocabulary.UnknownId]).ToArray();
        Tensor Labels(int[] rows) => Tensor.FromValues(rows.Select(i => (float)labels[i]).ToArray(), rows.Length);
        var train = new Dataset(DataField.FromTokens(Encode(split.Train)), DataField.FromTensor(Labels(split.Train)));
        var test = new Dataset(DataField.FromTokens(Encode(split.Test)), DataField.FromTensor(Labels(split.Test)));

        var model = new Sequential(
            new Input(-1),
            new Embedding(tokenizer.Vocabulary.Count, 32, paddingIndex: Vocabulary.PadId, seed: 1),
            new Lstm(32, 32, seed: 2) { ReturnSequences = false },
            new Dense(32, 2, seed: 3));
        model.Compile(new CrossEntropyLoss(), new Adam(model.Parameters, 0.005f), [new Accuracy()], clipNorm: 5f);
        model.Fit(train, epochs: 6, batchSize: 32, seed: 4, bucketing: true);

        double majority = split.Test.GroupBy(i => labels[i]).Max(g => g.Count()) / (double)split.Test.Length;
        double accuracy = model.Evaluate(test)["accuracy"];
        output.WriteLine($"sentiment: test accuracy {accuracy:P1} vs majority {majority:P1} ({split.Test.Length} sentences, {clock.Elapsed.TotalSeconds:F1} s)");
        Assert.True(accuracy > majority + 0.15, $"test accuracy {accuracy:P1} does not beat the majority class {majority:P1} by 15 points");
    }

    [Fact]
    public void A_forecaster_beats_the_seasonal_naive_forecast_on_the_last_two_years_of_air_passengers()
    {
        var clock = Stopwatch.StartNew();
        var passengers = CsvReader.Read(DataTestFiles.AirPassengers).Column("passengers").Span.ToArray();
        const int lookback = 24, season = 12, testMonths = 24;

        // Model the seasonal change of the log series, d_t = log y_t - log y_{t-12}: stationary, and the seasonal-naive
        // forecast is d = 0. Standardised with the training part only.
        var log = passengers.Select(v => Math.Log(v)).ToArray();
        var change = Enumerable.Range(season, log.Length - season).Select(t => (float)(log[t] - log[t - season])).ToArray();
        int trainEnd = log.Length - testMonths; // first test month, in the original series
        var scaler = new StandardScaler();
        scaler.Fit(Tensor.FromValues(change[..(trainEnd - season)], trainEnd - season, 1));
        var scaled = scaler.Transform(Tensor.FromValues(change, change.Length, 1)).Span.ToArray();

        // Window i: the changes at months i .. i+lookback-1 predict the change at month i+lookback (indices in `change`).
        var inputs = new List<float[]>();
        var targets = new List<float>();
        for (int t = lookback; t < change.Length; t++)
        {
            inputs.Add(scaled[(t - lookback)..t]);
            targets.Add(scaled[t]);
        }

        int trainCount = trainEnd - season - lookback;
        var train = new Dataset(
            DataField.FromSequences(inputs.Take(trainCount).ToArray(), 1),
            DataField.FromTensor(Tensor.FromValues(targets.Take(trainCount).ToArray(), trainCount, 1)));

        var model = new Sequential(new Input(-1, 1), new Gru(1, 8, seed: 1) { ReturnSequences = false }, new Dense(8, 1, seed: 2));
        model.Compile(new MeanSquaredError(), new Adam(model.Parameters, 0.005f));
        model.Fit(train, epochs: 60, batchSize: 16, seed: 3);

        var testInputs = new Tensor(testMonths, lookback, 1);
        for (int i = 0; i < testMonths; i++)
        {
            inputs[trainCount + i].CopyTo(testInputs.Span.Slice(i * lookback, lookback));
        }

        var predicted = scaler.InverseTransform(model.Predict(testInputs)).Span;
        double modelSquares = 0, naiveSquares = 0;
        for (int i = 0; i < testMonths; i++)
        {
            int t = trainEnd + i;
            double forecast = Math.Exp(log[t - season] + predicted[i]);
            modelSquares += Math.Pow(forecast - passengers[t], 2);
            naiveSquares += Math.Pow(passengers[t - season] - passengers[t], 2);
        }

        double modelRmse = Math.Sqrt(modelSquares / testMonths), naiveRmse = Math.Sqrt(naiveSquares / testMonths);
        output.WriteLine($"AirPassengers 1959-60: RMSE {modelRmse:F1} vs seasonal naive {naiveRmse:F1} ({clock.Elapsed.TotalSeconds:F1} s)");
        Assert.True(modelRmse < naiveRmse * 0.9, $"model RMSE {modelRmse:F1} does not beat the seasonal-naive {naiveRmse:F1} by 10%");
    }
}
