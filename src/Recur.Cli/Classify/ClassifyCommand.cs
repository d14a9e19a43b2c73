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
/// <c>recur classify train|predict|evaluate</c>: many-to-one classification of texts (words or characters), symbol
/// sequences (DNA) or numeric CSV columns read as steps (8x8 digits as 8 rows): the input (embedded tokens, or
/// standardised numbers) → recurrent layer(s), last step → Dense over the classes.
/// </summary>
internal static class ClassifyCommand
{
    public const string Kind = "classify";
    private static readonly string[] BundledData = ["sentiment/uci-labelled/amazon.tsv", "sentiment/uci-labelled/imdb.tsv"];
    private static readonly string DefaultModel = Path.Combine("runs", Kind, ModelStore.FileName);
    private const double HeldOut = 0.15; // validation and test each

    public static Command Create(CliContext cli) => new("classify", "Sequence classification: sentiment of sentences, DNA splice junctions, digits as rows of pixels, ... with accuracy, per-class precision/recall and a confusion matrix.")
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
        var steps = new Option<int?>("--steps")
        {
            Description = "Read numeric columns instead of a text: the feature columns of each row are this many time steps of equal size, one after the other (8x8 digits: --steps 8 reads p0_0..p0_7 as step 1, ...)",
        };
        var features = new Option<string?>("--features")
        {
            Description = "With --steps: the feature columns, comma-separated names or patterns with * and ? (e.g. 'p*'), in order (default: every column but --label-column)",
        };
        var bidirectional = new Option<bool>("--bidirectional") { Description = "Also read each sequence backwards; the classifier sees both final states" };
        var pool = new Option<string>("--pool")
        {
            Description = "What the classifier reads: the recurrent state after the last step (last), or the mean of the states over all steps, with dropout 0.5 on the inputs (mean)",
            DefaultValueFactory = _ => "last",
        };
        pool.AcceptOnlyFromAmong("last", "mean");
        embedding.Validators.Add(OptionChecks.Positive);
        minFreq.Validators.Add(OptionChecks.Positive);
        steps.Validators.Add(OptionChecks.Positive);

        var command = new Command("train",
            "Train a classifier on a stratified 70/15/15 split; report test accuracy, per-class precision/recall/F1 and the confusion matrix against the majority class and a logistic regression (bag of words, or the numbers).")
        {
            data, tokens, embedding, minFreq, steps, features, bidirectional, pool,
        };
        common.AddTo(command);
        columns.AddTo(command, "text", "label");
        command.Validators.Add(r =>
        {
            if (r.GetResult(steps) is null)
            {
                if (r.GetResult(features) is not null)
                {
                    r.AddError("--features names numeric columns and needs --steps");
                }

                return;
            }

            string[] textOnly = [.. new Option[] { tokens, embedding, minFreq, columns.Text }.Where(o => r.GetResult(o) is { Implicit: false }).Select(o => o.Name)];
            if (textOnly.Length > 0)
            {
                r.AddError($"{string.Join(", ", textOnly)} read a text; --steps reads numeric columns instead");
            }

            if (r.GetResult(data) is null)
            {
                r.AddError("--steps needs --data: the bundled default is text");
            }
        });
        command.SetAction(parsed =>
        {
            var paths = parsed.GetValue(data) is { Length: > 0 } given ? given : BundledData.Select(RepositoryData.Find).ToArray();
            var (textColumn, labelColumn) = columns.Read(parsed);
            var spec = new ClassifierSpec(parsed.GetValue(bidirectional), labelColumn!) { MeanPool = parsed.GetValue(pool) == "mean" };
            var settings = common.Read(parsed);
            if (parsed.GetValue(steps) is not int t)
            {
                var text = new TextOptions(textColumn!, parsed.GetValue(tokens)!, parsed.GetValue(embedding), parsed.GetValue(minFreq));
                TrainClassifier(Examples.ReadTexts(paths, text.Column, spec.LabelColumn), train => TextInput.Fit(text, train), paths, spec, settings, cli);
                return;
            }

            string[]? patterns = parsed.GetValue(features)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            string[] names = Examples.FeatureColumns(paths[0], patterns, spec.LabelColumn);
            var examples = Examples.ReadNumbers(paths, names, spec.LabelColumn); // first, so that a missing label column is named as such
            if (names.Length % t != 0)
            {
                throw new CliException($"{paths[0]}: the {names.Length} feature columns ({names[0]} .. {names[^1]}) do not divide into --steps {t} steps of equal size");
            }

            TrainClassifier(examples, train => NumericInput.Fit(names, t, train), paths, spec, settings, cli);
        });
        return command;
    }

    private static Command Predict(CliContext cli)
    {
        var textArgument = new Argument<string?>("TEXT") { Description = "A sentence or sequence to classify (text models)", Arity = ArgumentArity.ZeroOrOne };
        var input = new Option<string?>("--input") { Description = "A UTF-8 file of texts to classify, one per line, or a CSV or TSV file with the model's text column (or, for a model of numeric columns, with those columns)" };
        var model = ModelOption();
        var command = new Command("predict", "Print the predicted class of TEXT (or of each line or CSV row of --input) and the probability of every class.")
        {
            textArgument, input, model,
        };
        command.SetAction(parsed =>
        {
            string path = parsed.GetValue(model)!;
            var classifier = Classifier.Load(path);
            var (sequences, names) = classifier.Input switch
            {
                TextInput text => TextPredictionInputs(text, parsed.GetValue(textArgument), parsed.GetValue(input), cli.Error),
                NumericInput numeric => NumericPredictionInputs(numeric, path, parsed.GetValue(textArgument), parsed.GetValue(input)),
                _ => throw new InvalidOperationException(classifier.Input.GetType().Name),
            };
            var probabilities = classifier.Probabilities(sequences);
            int width = classifier.Classes.Max(c => c.Length);
            for (int i = 0; i < sequences.Length; i++)
            {
                var p = probabilities[i];
                string all = string.Join("  ", classifier.Classes.Select((c, k) => Invariant($"{c} {p[k]:F4}")));
                cli.Output.WriteLine($"{classifier.Classes[ArgMax(p)].PadRight(width)}  ({all})  {names[i]}");
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
            string[] paths = parsed.GetValue(data)!;
            string label = labelColumn ?? classifier.LabelColumn;
            var (sequences, truth) = classifier.Input switch
            {
                TextInput text => Encoded(text, Examples.ReadTexts(paths, textColumn ?? text.Column, label), classifier.Classes),
                NumericInput numeric when textColumn is null => Encoded(numeric, Examples.ReadNumbers(paths, numeric.Columns, label), classifier.Classes),
                NumericInput => throw new CliException($"--text-column: {path} reads numeric columns, not a text"),
                _ => throw new InvalidOperationException(classifier.Input.GetType().Name),
            };
            var predicted = classifier.Probabilities(sequences).Select(ArgMax).ToArray();
            var matrix = new ConfusionMatrix(classifier.Classes, truth, predicted);
            cli.Output.WriteLine(Invariant($"recur classify evaluate: {path} on {truth.Length:N0} examples: accuracy {matrix.Accuracy:F3}"));
            matrix.Print(cli.Output);
            var plots = matrix.Plot(Path.GetDirectoryName(Path.GetFullPath(path))!, Invariant($"{Path.GetFileName(path)}: accuracy {matrix.Accuracy:P1}"));
            cli.Output.WriteLine($"plots {string.Join(", ", plots)}");
        });
        return command;
    }

    private static void TrainClassifier<T>(Examples<T> all, Func<Examples<T>, ClassifierInput<T>> fit, string[] paths, ClassifierSpec spec, TrainingSettings settings, CliContext cli)
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
        var input = fit(train);
        var (trainX, valX, testX) = (input.Encode(train), input.Encode(val), input.Encode(test));
        var (trainLabels, valLabels, testLabels) = (train.ClassIds(classes), val.ClassIds(classes), test.ClassIds(classes));

        var model = Classifier.Build(input, classes.Length, spec, settings);
        string counts = string.Join(", ", classes.Select((c, k) => Invariant($"{c}: {labels.Count(l => l == k):N0}")));
        string rnn = $"{(spec.Bidirectional ? "bidirectional " : "")}{settings.CellName}({settings.Hidden}) x {settings.Layers}";
        output.WriteLine($"recur classify train: {settings.CellName} classifier on {string.Join(", ", paths)}");
        output.WriteLine(Invariant($"  data      {all.Count:N0} examples, {classes.Length} classes ({counts}); train {train.Count:N0}, validation {val.Count:N0}, test {test.Count:N0} (stratified, seed {settings.Seed})"));
        output.WriteLine(input.Summary(trainX));
        output.WriteLine(Invariant($"  model     {input.FrontName} -> {rnn}, {(spec.MeanPool ? "mean over steps" : "last step")} -> Dense({classes.Length}), {model.ParameterCount:N0} parameters"));
        output.WriteLine(Invariant($"  training  {settings.Epochs} epochs, batches of {settings.Batch} bucketed by length, Adam lr {settings.LearningRate}, seed {settings.Seed}"));

        var job = new TrainingJob(Kind, model, ToDataset(input, trainX, trainLabels), ToDataset(input, valX, valLabels), new CrossEntropyLoss(), [new Accuracy()],
            Shuffle: true, Classifier.Extras(input, classes, spec.LabelColumn), "cross-entropy (nats per example)") { Bucketing = true };
        var result = Trainer.Run(job, settings, cli);
        output.WriteLine(Invariant(
            $"done in {(int)result.Elapsed.TotalMinutes}:{result.Elapsed.Seconds:D2}: best epoch {result.BestEpoch + 1}, validation loss {result.BestValLoss:F3}, accuracy {result.History.Epochs[result.BestEpoch]["val_accuracy"]:F3}"));

        // The saved (best) model on the test split, against the two baselines fitted on the same training split.
        var classifier = Classifier.Load(result.ModelPath);
        var matrix = new ConfusionMatrix(classes, testLabels, classifier.Probabilities(testX).Select(ArgMax).ToArray());
        int majority = Enumerable.Range(0, classes.Length).MaxBy(k => trainLabels.Count(l => l == k));
        var features = input.Baseline(trainX);
        var regression = new SoftmaxRegression(features.Count, classes.Length, [.. trainX.Select(features.Of)], trainLabels, [.. valX.Select(features.Of)], valLabels);
        var linear = new ConfusionMatrix(classes, testLabels, regression.Predict(testX.Select(features.Of)));
        // Rows of numbers all have the same length, so the nearest training row is a baseline too (texts do not).
        string nearest = input.Features == 0 ? "" : Invariant(
            $"; nearest training row (Euclidean, standardised values) {new ConfusionMatrix(classes, testLabels, NearestNeighbour.Predict(trainX, trainLabels, testX)).Accuracy:F3}");
        output.WriteLine(Invariant($"test ({test.Count:N0} examples): {settings.CellName} accuracy {matrix.Accuracy:F3}"));
        output.WriteLine(Invariant($"  baselines: majority class '{classes[majority]}' {(double)testLabels.Count(l => l == majority) / test.Count:F3}; {features.Name} ({features.Description}, {features.Count:N0} features, {regression.BestStep} steps) {linear.Accuracy:F3} (per-class recall {string.Join(", ", classes.Select((c, k) => Invariant($"{c} {linear.Recall(k):F3}")))}){nearest}"));
        matrix.Print(output);
        var plots = matrix.Plot(settings.Out, Invariant($"{rnn}: test accuracy {matrix.Accuracy:P1}"));
        output.WriteLine($"saved {result.ModelPath}, plots {string.Join(", ", result.Plots.Concat(plots))}");
    }

    private static Dataset ToDataset(ClassifierInput input, float[][] sequences, int[] labels) => new(
        input.Features == 0 ? DataField.FromTokens([.. sequences.Select(s => s.Select(id => (int)id).ToArray())]) : DataField.FromSequences(sequences, input.Features),
        DataField.FromTensor(Tensor.FromValues(labels.Select(l => (float)l).ToArray(), labels.Length)));

    private static (float[][] Sequences, int[] Truth) Encoded<T>(ClassifierInput<T> input, Examples<T> examples, string[] classes) =>
        (input.Encode(examples), examples.ClassIds(classes));

    private static (float[][] Sequences, string[] Names) TextPredictionInputs(TextInput input, string? text, string? file, TextWriter error)
    {
        if ((text is null) == (file is null))
        {
            throw new CliException("give either a TEXT to classify or --input FILE, not both nor neither");
        }

        string[] texts = [text!], names = ["TEXT"];
        if (file is not null && Examples.IsTable(file))
        {
            (texts, names) = Examples.ReadTexts(file, input.Column);
        }
        else if (file is not null)
        {
            var lines = TextFile.SplitLines(InputText.Read(file, "--input"));
            var kept = Enumerable.Range(0, lines.Length).Where(i => lines[i].Trim().Length > 0).ToArray();
            (texts, names) = ([.. kept.Select(i => lines[i])], [.. kept.Select(i => $"{file}:{i + 1}")]);
        }

        // Unknown tokens are read as <unk> with a warning; a text of none the model knows is an error naming it.
        return ([.. texts.Select((t, i) => LanguageModel.EncodePrompt(input.Tokenizer, t, names[i], error).Select(id => (float)id).ToArray())], texts);
    }

    private static (float[][] Sequences, string[] Names) NumericPredictionInputs(NumericInput input, string model, string? text, string? file)
    {
        if (text is not null || file is null)
        {
            throw new CliException($"{model} classifies rows of numeric columns ({input.Columns[0]} .. {input.Columns[^1]}), not a text: give --input FILE.csv with those columns");
        }

        var (rows, origins) = Examples.ReadNumbers(file, input.Columns);
        return ([.. rows.Select((row, i) => input.Encode(row, origins[i]))], origins);
    }

    private static Option<string> ModelOption() => new("--model") { Description = "A model saved by 'recur classify train'", DefaultValueFactory = _ => DefaultModel };

    private static int ArgMax(float[] values) => Array.IndexOf(values, values.Max());

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>--text-column --label-column</c>: which columns hold the example and its class.</summary>
    private sealed class ColumnOptions
    {
        private readonly Option<string?> _label = new("--label-column");

        public Option<string?> Text { get; } = new("--text-column");

        public void AddTo(Command command, string? text, string? label)
        {
            Text.Description = $"The column holding the text or sequence (default: {text ?? "the one the model was trained on"})";
            _label.Description = $"The column holding the class, any string (default: {label ?? "the one the model was trained on"})";
            if (text is not null && label is not null)
            {
                Text.DefaultValueFactory = _ => text;
                _label.DefaultValueFactory = _ => label;
            }

            command.Options.Add(Text);
            command.Options.Add(_label);
        }

        public (string? Text, string? Label) Read(ParseResult parsed) => (parsed.GetValue(Text), parsed.GetValue(_label));
    }
}
