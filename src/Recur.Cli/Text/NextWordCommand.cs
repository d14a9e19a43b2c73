using System.CommandLine;
using System.Globalization;
using Recur.Cli.Common;
using Recur.Data;

namespace Recur.Cli.Text;

/// <summary><c>recur nextword train|predict</c>: a word-level language model that suggests the next word.</summary>
internal static class NextWordCommand
{
    public const string Kind = "nextword";
    private const string BundledText = "words/kjv-genesis-exodus/kjv-genesis-exodus.txt";
    private static readonly string DefaultModel = Path.Combine("runs", Kind, ModelStore.FileName);

    public static Command Create(CliContext cli) => new("nextword", "Word-level next-word prediction: learn which word follows which, then suggest the next word of a phrase.")
    {
        Train(cli),
        Predict(cli),
    };

    private static Command Train(CliContext cli)
    {
        var common = new TrainingOptions(new TrainingDefaults(Hidden: 256, Epochs: 6, Batch: 32, LearningRate: 3e-3f, Out: Path.Combine("runs", Kind)));
        var text = new LanguageModelOptions("A UTF-8 text file to learn (default: the bundled King James Genesis and Exodus, 367 KB)", embedding: 128, bptt: 32);
        var maxVocab = new Option<int>("--max-vocab") { Description = "Keep at most this many words, the most frequent (rarer ones become <unk>)", DefaultValueFactory = _ => 5000 };
        var minFreq = new Option<int>("--min-freq") { Description = "Leave out words seen fewer times than this in the training text (they become <unk>)", DefaultValueFactory = _ => 2 };
        maxVocab.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && int.TryParse(r.Tokens[0].Value, CultureInfo.InvariantCulture, out int n) && n < 3)
            {
                r.AddError($"--max-vocab must be at least 3 (<pad>, <unk> and one word), got {n}");
            }
        });
        minFreq.Validators.Add(OptionChecks.Positive);

        var command = new Command("train", "Train a word model (lower-cased words and punctuation); report validation perplexity against unigram and bigram baselines.")
        {
            maxVocab, minFreq,
        };
        common.AddTo(command);
        text.AddTo(command);
        command.SetAction(parsed =>
        {
            var (data, embedding, bptt, valFraction) = text.Read(parsed);
            var options = new VocabularyOptions { MaxSize = parsed.GetValue(maxVocab), MinFrequency = parsed.GetValue(minFreq) };
            var spec = new LanguageModelSpec(Kind, "word", head => WordTokenizer.Build([head], options: options));
            LanguageModel.Train(spec, data ?? RepositoryData.Find(BundledText), embedding, bptt, valFraction, common.Read(parsed), cli);
        });
        return command;
    }

    private static Command Predict(CliContext cli)
    {
        var phrase = new Argument<string>("PHRASE") { Description = "The words so far, e.g. \"in the beginning\"" };
        var model = new Option<string>("--model") { Description = "A model saved by 'recur nextword train'", DefaultValueFactory = _ => DefaultModel };
        var topK = new Option<int>("--top-k") { Description = "How many candidate words to list", DefaultValueFactory = _ => 5 };
        topK.Validators.Add(OptionChecks.Positive);

        var command = new Command("predict",
            "Print the most likely next words of PHRASE with their probabilities. Words the model does not know are read as <unk>, with a warning.")
        {
            phrase, model, topK,
        };
        command.SetAction(parsed =>
        {
            var (network, tokenizer) = LanguageModel.Load(parsed.GetValue(model)!, Kind);
            var ids = LanguageModel.EncodePrompt(tokenizer, parsed.GetValue(phrase)!, "PHRASE", cli.Error);
            var top = Sampling.Top(LanguageModel.Feed(network, ids), tokenizer.Vocabulary, parsed.GetValue(topK));
            cli.Output.WriteLine($"{tokenizer.Decode(ids)} ...");
            int width = top.Max(c => tokenizer.Vocabulary.TokenOf(c.Id).Length);
            foreach (var (id, p) in top)
            {
                cli.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {tokenizer.Vocabulary.TokenOf(id).PadRight(width)}  {p:F4}"));
            }
        });
        return command;
    }
}
