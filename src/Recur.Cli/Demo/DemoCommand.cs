using System.CommandLine;
using Recur.Cli.Common;
using Recur.Cli.Text;

namespace Recur.Cli.Demo;

/// <summary>
/// <c>recur demo</c>, the README's first command: <c>recur textgen train</c> with settings that take about two
/// minutes on 2 cores — a character LSTM (Embedding 32 → LSTM 256 → Dense) learns tiny Shakespeare (1.1 MB of the
/// plays) by truncated BPTT, shows its loss falling against the unigram and bigram baselines, saves the model and its
/// loss plot — and then writes a sample with it, which has the plays' speakers and verse lines.
/// </summary>
internal static class DemoCommand
{
    private const string BundledText = "text/tinyshakespeare/input.txt";
    private const int SampleLength = 300;
    private const float Temperature = 0.8f;

    public static Command Create(CliContext cli)
    {
        var common = new TrainingOptions(new TrainingDefaults(Hidden: 256, Epochs: 6, Batch: 32, LearningRate: 3e-3f, Out: Path.Combine("runs", "demo")));
        var data = new Option<string?>("--data") { Description = "A UTF-8 text file to learn (default: the bundled tiny Shakespeare)" };
        var command = new Command("demo", "Train a character-level LSTM on tiny Shakespeare (about two minutes), save it with its loss plot and print a sample.")
        {
            data,
        };
        common.AddTo(command);
        command.SetAction(parsed =>
        {
            var settings = common.Read(parsed);
            LanguageModel.Train(TextGenCommand.Spec, parsed.GetValue(data) ?? RepositoryData.Find(BundledText), embedding: 32, bptt: 64, valFraction: 0.1, settings, cli);
            string model = Path.Combine(settings.Out, ModelStore.FileName);
            cli.Output.WriteLine($"sample (temperature {Temperature.ToString(System.Globalization.CultureInfo.InvariantCulture)}, seed {settings.Seed}; more with: recur textgen sample --model {model}):");
            cli.Output.WriteLine(TextGenCommand.Generate(model, "\n", SampleLength, Temperature, topK: 0, settings.Seed, cli));
        });
        return command;
    }
}
