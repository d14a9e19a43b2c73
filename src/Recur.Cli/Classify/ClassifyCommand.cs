using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Recur.Cli.Common;
using Recur.Cli.Text;
using Recur.Data;
using Recur.Layers;
using Recur.Losses;
using Recur.Metrics;
using Recur.Models;
using Recur.Tensors;
using Recur.Training;

namespace Recur.Cli.Classify;

/// <summary>
/// <c>recur classify train|predict|evaluate</c>: many-to-one classification of texts (words or characters) or
/// symbol sequences (DNA): Embedding → recurrent layer(s), last step → Dense over the classes.
/// </summary>
internal static class ClassifyCommand
{
    public const string Kind = "classify";
    private static readonly string[] BundledData = ["sentiment/uci-labelled/amazon.tsv", "sentiment/uci-labelled/imdb.tsv"];
    private static readonly string DefaultModel = Path.Combine("runs", Kind, ModelStore.FileName);
    private const double HeldOut = 0.15; // validation and test each

    public static Command Create(CliContext cli) => new("classify", "Sequence classification: sentiment of sentences, DNA splice junctions, ... with accuracy, per-class precision/recall and a confusion matrix.")
    {
        Train(cli),
        Predict(cli),
        Evaluate(cli),
    };

    private static Command Train(CliContext cli)
    {
        var common = new TrainingOptions(new TrainingDefaults(Hidden: 64, Epochs: 10, Batch: 32, LearningRate: 3e-3f, Out: Path.Combine("runs", Kind)));
        var data = new Option<string[]>("--data") { Description = "CSV or TSV files with a header, one example per line; repeat for several (default: the bundled Amazon and IMDB labelled sentences)" };
        var columns = new ColumnOptions();
        var tokens = new Option<string>("--tokens") { Description = "Read the text as words (lower-cased) or characters (e.g. DNA)", DefaultValueFactory = _ => "word" };
        tokens.AcceptOnlyFromAmong("word", "char");
        var embedding = new Option<int>("--embedding") { Description = "Size of the token embedding", DefaultValueFactory = _ => 64 };
        var minFreq = new Option<int>("--min-freq") { Description = "Tokens seen fewer times than this in the training split become <unk>", DefaultValueFactory = _ => 2 };
        var bidirectional = new Option<bool>("--bidirectional") { Description = "Also read each sequence backwards; the classifier sees both final states" };
        var pool = new Option<string>("--pool")
        {
            Description = "What the classifier reads: the recurrent state after the last token (last), or the mean of the states over all tokens, with dropout 0.3 on the embeddings (mean)",
            DefaultValueFactory = _ => "last",
        };
        pool.AcceptOnlyFromAmong("last", "mean");
        embedding.Validators.Add(OptionChecks.Positive);
        minFreq.Validators.Add(OptionChecks.Positive);

        var command = new Command("train",
            "Train a classifier on a stratified 70/15/15 split; report test accuracy, per-class precision/recall/F1 and the confusion matrix against the majority class and a bag-of-words logistic regression.")
        {
            data, tokens, embedding, minFreq, bidirectional, pool,
        };
        common.AddTo(command);
        columns.AddTo(command, "text", "label");
        command.SetAction(parsed =>
        {
            var paths = parsed.GetValue(data) is { Length: > 0 } given ? given : BundledData.Select(RepositoryData.Find).ToArray();
            var (textColumn, labelColumn) = columns.Read(parsed);
            var spec = new ClassifierSpec(parsed.GetValue(tokens)!, parsed.GetValue(embedding), parsed.GetValue(minFreq), parsed.GetValue(bidirectional), textColumn!, labelColumn!)
            {
                MeanPool = parsed.GetValue(pool) == "mean",
            };
            TrainClassifier(Examples.Read(paths, spec.TextColumn, spec.LabelColumn), paths, spec, common.Read(parsed), cli);
        });
        return command;
    }

    private static Command Predict(CliContext cli)
    {
        var text = new Argument<string?>("TEXT") { Description = "A sentence or sequence to classify", Arity = ArgumentArity.ZeroOrOne };
        var input = new Option<string?>("--input") { Description = "A UTF-8 file of texts to classify, one per line" };
        var model = ModelOption();
        var command = new Command("predict", "Print the predicted class of TEXT (or of each line of --input) and the probability of every class.")
        {
            text, input, model,
        };
        command.SetAction(parsed =>
        {
            var classifier = Classifier.Load(parsed.GetValue(model)!);
            var (texts, names) = PredictionInputs(parsed.GetValue(text), parsed.GetValue(input));
            var ids = texts.Select((t, i) => LanguageModel.EncodePrompt(classifier.Tokenizer, t, names[i], cli.Error)).ToArray();
            var probabilities = classifier.Probabilities(ids);
            int width = classifier.Classes.Max(c => c.Length);
            for (int i = 0; i < texts.Length; i++)
            {
                var p = probabilities[i];
                string all = string.Join("  ", classifier.Classes.Select((c, k) => Invariant($"{c} {p[k]:F4}")));
                cli.Output.WriteLine($"{classifier.Classes[ArgMax(p)].PadRight(width)}  ({all})  {texts[i]}");
            }
        });
        return command;
    }

    private static Command Evaluate(CliContext cli)
    {
        var data = new Option<string[]>("--data") { Description = "CSV or TSV files of labelled examples", Required = true };
        var columns = new ColumnOptions();
        var model = ModelOption();
        var command = new Command("evaluate",
            "Accuracy, per-class precision/recall/F1 and the confusion matrix of a model on labelled data; the matrix is also drawn as confusion.png and .svg beside the model.")
        {
            data, model,
        };
        columns.AddTo(command, null, null);
        command.SetAction(parsed =>
        {
            string path = parsed.GetValue(model)!;
            var classifier = Classifier.Load(path);
            var (textColumn, labelColumn) = columns.Read(parsed);
            var examples = Examples.Read(parsed.GetValue(data)!, textColumn ?? classifier.TextColumn, labelColumn ?? classifier.LabelColumn);
            var truth = examples.ClassIds(classifier.Classes);
            var predicted = classifier.Probabilities(examples.Encode(classifier.Tokenizer)).Select(ArgMax).ToArray();
            var matrix = new ConfusionMatrix(classifier.Classes, truth, predicted);
            cli.Output.WriteLine(Invariant($"recur classify evaluate: {path} on {examples.Count:N0} examples: accuracy {matrix.Accuracy:F3}"));
            matrix.Print(cli.Output);
            var plots = matrix.Plot(Path.GetDirectoryName(Path.GetFullPath(path))!, Invariant($"{Path.GetFileName(path)}: accuracy {matrix.Accuracy:P1}"));
            cli.Output.WriteLine($"plots {string.Join(", ", plots)}");
        });
        return command;
    }

    private static void TrainClassifier(Examples all, string[] paths, ClassifierSpec spec, TrainingSettings settings, CliContext cli)
    {
        var output = cli.Output;
        string[] classes = [.. all.Labels.Distinct().Order(StringComparer.Ordinal)];
        if (classes.Length < 2)
        {
            throw new CliException($"{string.Join(", ", paths)}: column '{spec.LabelColumn}' holds a single class ('{classes[0]}'); a classifier needs at least two");
        }

        var labels = all.ClassIds(classes);
        var split = Splits.Stratified(labels, 1 - 2 * HeldOut, HeldOut, settings.Seed);
        var (train, val, test) = (all.Subset(split.Train), all.Subset(split.Validation), all.Subset(split.Test));
        var vocabulary = new VocabularyOptions { MinFrequency = spec.MinFrequency };
        Tokenizer tokenizer = spec.Tokens == "char" ? CharTokenizer.Build(train.Texts, options: vocabulary) : WordTokenizer.Build(train.Texts, options: vocabulary);
        var (trainIds, valIds, testIds) = (train.Encode(tokenizer), val.Encode(tokenizer), test.Encode(tokenizer));
        var (trainLabels, valLabels, testLabels) = (train.ClassIds(classes), val.ClassIds(classes), test.ClassIds(classes));

        var model = Classifier.Build(tokenizer.Vocabulary.Count, classes.Length, spec, settings);
        long tokenCount = trainIds.Sum(s => (long)s.Length), unknown = trainIds.Sum(s => (long)s.Count(id => id == Vocabulary.UnknownId));
        string counts = string.Join(", ", classes.Select((c, k) => Invariant($"{c}: {labels.Count(l => l == k):N0}")));
        string rnn = $"{(spec.Bidirectional ? "bidirectional " : "")}{settings.CellName}({settings.Hidden}) x {settings.Layers}";
        output.WriteLine($"recur classify train: {settings.CellName} classifier on {string.Join(", ", paths)}");
        output.WriteLine(Invariant($"  data      {all.Count:N0} examples, {classes.Length} classes ({counts}); train {train.Count:N0}, validation {val.Count:N0}, test {test.Count:N0} (stratified, seed {settings.Seed})"));
        output.WriteLine(Invariant($"  tokens    {spec.Tokens}s, vocabulary {tokenizer.Vocabulary.Count:N0} ({tokenizer.Vocabulary.SpecialCount} special); {unknown:N0} of {tokenCount:N0} training tokens ({(double)unknown / tokenCount:P1}) read as <unk>; length {trainIds.Min(s => s.Length)}-{trainIds.Max(s => s.Length)}, mean {(double)tokenCount / trainIds.Length:F1}"));
        output.WriteLine(Invariant($"  model     Embedding({tokenizer.Vocabulary.Count}, {spec.Embedding}) -> {rnn}, {(spec.MeanPool ? "mean over steps" : "last step")} -> Dense({classes.Length}), {model.ParameterCount:N0} parameters"));
        output.WriteLine(Invariant($"  training  {settings.Epochs} epochs, batches of {settings.Batch} bucketed by length, Adam lr {settings.LearningRate}, seed {settings.Seed}"));

        var extras = new JsonObject
        {
            ["tokenizer"] = tokenizer.ToJson(),
            ["classes"] = new JsonArray([.. classes.Select(c => JsonValue.Create(c))]),
            ["text_column"] = spec.TextColumn,
            ["label_column"] = spec.LabelColumn,
        };
        var job = new TrainingJob(Kind, model, ToDataset(trainIds, trainLabels), ToDataset(valIds, valLabels), new CrossEntropyLoss(), [new Accuracy()],
            Shuffle: true, extras, "cross-entropy (nats per example)") { Bucketing = true };
        var result = Trainer.Run(job, settings, cli);
        output.WriteLine(Invariant(
            $"done in {(int)result.Elapsed.TotalMinutes}:{result.Elapsed.Seconds:D2}: best epoch {result.BestEpoch + 1}, validation loss {result.BestValLoss:F3}, accuracy {result.History.Epochs[result.BestEpoch]["val_accuracy"]:F3}"));

        // The saved (best) model on the test split, against the two baselines fitted on the same training split.
        var classifier = Classifier.Load(result.ModelPath);
        var matrix = new ConfusionMatrix(classes, testLabels, classifier.Probabilities(testIds).Select(ArgMax).ToArray());
        int majority = Enumerable.Range(0, classes.Length).MaxBy(k => trainLabels.Count(l => l == k));
        int maxN = spec.Tokens == "char" ? 3 : 1;
        var bag = new BagOfNGrams(maxN, classes.Length, trainIds, trainLabels, valIds, valLabels);
        var bagMatrix = new ConfusionMatrix(classes, testLabels, bag.Predict(testIds));
        string features = maxN == 1 ? "word counts" : $"counts of character 1- to {maxN}-grams";
        output.WriteLine(Invariant($"test ({test.Count:N0} examples): {settings.CellName} accuracy {matrix.Accuracy:F3}"));
        output.WriteLine(Invariant($"  baselines: majority class '{classes[majority]}' {(double)testLabels.Count(l => l == majority) / test.Count:F3}; bag-of-words logistic regression ({features}, {bag.FeatureCount:N0} features, {bag.BestStep} steps) {bagMatrix.Accuracy:F3} (per-class recall {string.Join(", ", classes.Select((c, k) => Invariant($"{c} {bagMatrix.Recall(k):F3}")))})"));
        matrix.Print(output);
        var plots = matrix.Plot(settings.Out, Invariant($"{rnn}: test accuracy {matrix.Accuracy:P1}"));
        output.WriteLine($"saved {result.ModelPath}, plots {string.Join(", ", result.Plots.Concat(plots))}");
    }

    private static Dataset ToDataset(int[][] ids, int[] labels) =>
        new(DataField.FromTokens(ids), DataField.FromTensor(Tensor.FromValues(labels.Select(l => (float)l).ToArray(), labels.Length)));

    private static (string[] Texts, string[] Names) PredictionInputs(string? text, string? input)
    {
        if ((text is null) == (input is null))
        {
            throw new CliException("give either a TEXT to classify or --input FILE, not both nor neither");
        }

        if (text is not null)
        {
            return ([text], ["TEXT"]);
        }

        var lines = TextFile.SplitLines(InputText.Read(input!, "--input"));
        var kept = Enumerable.Range(0, lines.Length).Where(i => lines[i].Trim().Length > 0).ToArray();
        return ([.. kept.Select(i => lines[i])], [.. kept.Select(i => $"{input}:{i + 1}")]);
    }

    private static Option<string> ModelOption() => new("--model") { Description = "A model saved by 'recur classify train'", DefaultValueFactory = _ => DefaultModel };

    private static int ArgMax(float[] values) => Array.IndexOf(values, values.Max());

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>--text-column --label-column</c>: which columns hold the example and its class.</summary>
    private sealed class ColumnOptions
    {
        private readonly Option<string?> _text = new("--text-column");
        private readonly Option<string?> _label = new("--label-column");

        public void AddTo(Command command, string? text, string? label)
        {
            _text.Description = $"The column holding the text or sequence (default: {text ?? "the one the model was trained on"})";
            _label.Description = $"The column holding the class, any string (default: {label ?? "the one the model was trained on"})";
            if (text is not null && label is not null)
            {
                _text.DefaultValueFactory = _ => text;
                _label.DefaultValueFactory = _ => label;
            }

            command.Options.Add(_text);
            command.Options.Add(_label);
        }

        public (string? Text, string? Label) Read(ParseResult parsed) => (parsed.GetValue(_text), parsed.GetValue(_label));
    }
}
