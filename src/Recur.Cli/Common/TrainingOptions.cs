using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Recur.Layers;

namespace Recur.Cli.Common;

/// <summary>The recurrent cell a command trains: <c>--cell rnn|lstm|gru</c>.</summary>
internal enum CellType
{
    Rnn,
    Lstm,
    Gru,
}

/// <summary>What an application's defaults are for the options every training command shares.</summary>
internal sealed record TrainingDefaults(int Hidden, int Epochs, int Batch, float LearningRate, string Out)
{
    public int Layers { get; init; } = 1;
}

/// <summary>The options every training command shares, parsed (see <see cref="TrainingOptions"/>).</summary>
internal sealed record TrainingSettings(
    CellType Cell, int Hidden, int Layers, int Epochs, int Batch, float LearningRate, float Dropout, ulong Seed, string Out)
{
    /// <summary>"LSTM", "GRU" or "RNN", as the summaries and results name them.</summary>
    public string CellName => Cell.ToString().ToUpperInvariant();

    /// <summary>
    /// The recurrent layer for the chosen cell: <see cref="Layers"/> stacked, <see cref="Dropout"/> between them;
    /// <paramref name="bidirectional"/> also reads the sequence backwards (outputs 2 × <see cref="Hidden"/>).
    /// </summary>
    public RecurrentLayer Recurrent(int inputSize, bool returnSequences, bool stateful, bool bidirectional = false) => Cell switch
    {
        CellType.Rnn => new Rnn(inputSize, Hidden, Layers, dropout: Dropout, bidirectional: bidirectional, seed: Seed) { ReturnSequences = returnSequences, Stateful = stateful },
        CellType.Lstm => new Lstm(inputSize, Hidden, Layers, dropout: Dropout, bidirectional: bidirectional, seed: Seed) { ReturnSequences = returnSequences, Stateful = stateful },
        CellType.Gru => new Gru(inputSize, Hidden, Layers, dropout: Dropout, bidirectional: bidirectional, seed: Seed) { ReturnSequences = returnSequences, Stateful = stateful },
        _ => throw new ArgumentOutOfRangeException(nameof(Cell), Cell, null),
    };

    /// <summary>The settings as JSON, saved in the model file so <c>recur info</c> can say how it was trained.</summary>
    public JsonObject ToJson() => new()
    {
        ["cell"] = Cell.ToString().ToLowerInvariant(),
        ["hidden"] = Hidden,
        ["layers"] = Layers,
        ["epochs"] = Epochs,
        ["batch"] = Batch,
        ["lr"] = LearningRate,
        ["dropout"] = Dropout,
        ["seed"] = Seed.ToString(CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// <c>--cell --hidden --layers --epochs --batch --lr --dropout --seed --out</c>: added to a command with
/// <see cref="AddTo"/>, read back as one <see cref="TrainingSettings"/>.
/// </summary>
internal sealed class TrainingOptions
{
    private readonly Option<string> _cell = new("--cell") { Description = "Recurrent cell: rnn (Elman, tanh), lstm or gru", DefaultValueFactory = _ => "lstm" };
    private readonly Option<int> _hidden, _layers, _epochs, _batch;
    private readonly Option<float> _lr, _dropout;
    private readonly Option<ulong> _seed = new("--seed") { Description = "Seed of the initialisation, the batch order and dropout", DefaultValueFactory = _ => 1 };
    private readonly Option<string> _out;

    public TrainingOptions(TrainingDefaults defaults)
    {
        _cell.AcceptOnlyFromAmong("rnn", "lstm", "gru");
        _hidden = new("--hidden") { Description = "Hidden units per recurrent layer", DefaultValueFactory = _ => defaults.Hidden };
        _layers = new("--layers") { Description = "Stacked recurrent layers", DefaultValueFactory = _ => defaults.Layers };
        _epochs = new("--epochs") { Description = "Passes over the training data", DefaultValueFactory = _ => defaults.Epochs };
        _batch = new("--batch") { Description = "Sequences per batch", DefaultValueFactory = _ => defaults.Batch };
        _lr = new("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => defaults.LearningRate };
        _dropout = new("--dropout") { Description = "Dropout between stacked recurrent layers (needs --layers 2 or more)", DefaultValueFactory = _ => 0f };
        _out = new("--out") { Description = "Folder for model.safetensors and the loss plots (loss.png, loss.svg)", DefaultValueFactory = _ => defaults.Out };
        foreach (var option in new[] { _hidden, _layers, _epochs, _batch })
        {
            option.Validators.Add(OptionChecks.Positive);
        }

        _lr.Validators.Add(OptionChecks.PositiveReal);
        _dropout.Validators.Add(OptionChecks.Fraction);
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_cell);
        command.Options.Add(_hidden);
        command.Options.Add(_layers);
        command.Options.Add(_epochs);
        command.Options.Add(_batch);
        command.Options.Add(_lr);
        command.Options.Add(_dropout);
        command.Options.Add(_seed);
        command.Options.Add(_out);
    }

    public TrainingSettings Read(ParseResult parsed) => new(
        Enum.Parse<CellType>(parsed.GetValue(_cell)!, ignoreCase: true),
        parsed.GetValue(_hidden), parsed.GetValue(_layers), parsed.GetValue(_epochs), parsed.GetValue(_batch),
        parsed.GetValue(_lr), parsed.GetValue(_dropout), parsed.GetValue(_seed), parsed.GetValue(_out)!);
}
