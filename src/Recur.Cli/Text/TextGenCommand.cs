using System.CommandLine;
using System.Text;
using Recur.Cli.Common;
using Recur.Data;

namespace Recur.Cli.Text;

/// <summary><c>recur textgen train|sample</c>: a character-level language model that writes text.</summary>
internal static class TextGenCommand
{
    public const string Kind = "textgen";

    /// <summary>What <c>textgen train</c> and <c>recur demo</c> train: characters, one token each.</summary>
    public static readonly LanguageModelSpec Spec = new(Kind, "char", head => CharTokenizer.Build([head]));
    private const string BundledText = "text/tinyshakespeare/input.txt";
    private static readonly string DefaultModel = Path.Combine("runs", Kind, ModelStore.FileName);

    public static Command Create(CliContext cli) => new("textgen", "Character-level text generation: learn a text one character at a time, then write more like it.")
    {
        Train(cli),
        Sample(cli),
    };

    private static Command Train(CliContext cli)
    {
        var common = new TrainingOptions(new TrainingDefaults(Hidden: 256, Epochs: 3, Batch: 32, LearningRate: 3e-3f, Out: Path.Combine("runs", Kind)));
        var text = new LanguageModelOptions("A UTF-8 text file to learn (default: the bundled tiny Shakespeare, 1.1 MB)", embedding: 32, bptt: 100);
        var command = new Command("train", "Train a character model; report validation loss in nats per character against unigram and bigram baselines.");
        common.AddTo(command);
        text.AddTo(command);
        command.SetAction(parsed =>
        {
            var (data, embedding, bptt, valFraction) = text.Read(parsed);
            LanguageModel.Train(Spec, data ?? RepositoryData.Find(BundledText), embedding, bptt, valFraction, common.Read(parsed), cli);
        });
        return command;
    }

    private static Command Sample(CliContext cli)
    {
        var model = new Option<string>("--model") { Description = "A model saved by 'recur textgen train'", DefaultValueFactory = _ => DefaultModel };
        var prime = new Option<string?>("--prime") { Description = "Text to start from; it is printed, then continued (default: a line break)" };
        var length = new Option<int>("--length") { Description = "Characters to generate", DefaultValueFactory = _ => 500 };
        var temperature = new Option<float>("--temperature") { Description = "Below 1: safer, more repetitive; above 1: more surprising", DefaultValueFactory = _ => 0.8f };
        var topK = new Option<int>("--top-k") { Description = "Draw only among the k most likely characters (0: all)", DefaultValueFactory = _ => 0 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the draws", DefaultValueFactory = _ => 1 };
        length.Validators.Add(OptionChecks.Positive);
        temperature.Validators.Add(OptionChecks.PositiveReal);
        topK.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && int.TryParse(r.Tokens[0].Value, out int k) && k < 0)
            {
                r.AddError($"--top-k must be 0 (all) or more, got {k}");
            }
        });

        var command = new Command("sample", "Generate text with a trained character model.") { model, prime, length, temperature, topK, seed };
        command.SetAction(parsed =>
        {
            string path = parsed.GetValue(model)!;
            cli.Output.WriteLine(Generate(
                path, parsed.GetValue(prime) ?? "\n", parsed.GetValue(length), parsed.GetValue(temperature), parsed.GetValue(topK), parsed.GetValue(seed), cli));
        });
        return command;
    }

    /// <summary>The prime followed by <paramref name="length"/> characters drawn from the model at <paramref name="path"/>.</summary>
    public static string Generate(string path, string prime, int length, float temperature, int topK, ulong seed, CliContext cli)
    {
        var (network, tokenizer) = LanguageModel.Load(path, Kind);
        var ids = LanguageModel.EncodePrompt(tokenizer, prime, "--prime", cli.Error);
        var rng = new Rng(seed);
        var text = new StringBuilder(prime);
        float[] logits = LanguageModel.Feed(network, ids);
        for (int i = 0; i < length; i++)
        {
            int id = Sampling.Draw(logits, tokenizer.Vocabulary, temperature, topK, rng);
            text.Append(tokenizer.Vocabulary.TokenOf(id));
            logits = LanguageModel.Feed(network, [id]);
        }

        return text.ToString();
    }
}
