using System.CommandLine;
using System.Globalization;
using Recur.Cli.Common;
using Recur.Cli.Text;
using Recur.Data;
using Recur.Diagnostics;
using Recur.Layers;
using Recur.Models;
using Recur.Tensors;

namespace Recur.Cli.Gates;

/// <summary>
/// <c>recur gates</c>: what the units of a character model's recurrent layer do over a text, as coloured text
/// (<c>gates.html</c>) and a heatmap (<c>gates.png</c>, <c>gates.svg</c>), with the units that track quotes,
/// parentheses, the position in the line or words found automatically (Karpathy et al., 2015).
/// </summary>
internal static class GatesCommand
{
    private const int DefaultTop = 8;
    private static readonly string DefaultModel = Path.Combine("runs", TextGenCommand.Kind, ModelStore.FileName);

    public static Command Create(CliContext cli)
    {
        var model = new Option<string>("--model") { Description = "A character model saved by 'recur textgen train' or 'recur demo'", DefaultValueFactory = _ => DefaultModel };
        var text = new Option<string?>("--text") { Description = "A UTF-8 text file to read (or --prime)" };
        var prime = new Option<string?>("--prime") { Description = "The text to read, given on the command line (or --text)" };
        var start = new Option<int>("--start") { Description = "Skip this many characters of --text first", DefaultValueFactory = _ => 0 };
        var chars = new Option<int>("--chars") { Description = "How many characters to read and show", DefaultValueFactory = _ => 500 };
        var layer = new Option<int?>("--layer") { Description = "The stacked recurrent layer, 0 (reading the characters) to L-1 (default: the top one, L-1)" };
        var gate = new Option<string?>("--gate") { Description = "What to show: h (hidden state), c (LSTM cell state, default for an LSTM), LSTM gates i f g o, GRU gates r z n" };
        var units = new Option<string?>("--units") { Description = "The units to show, e.g. 3,17,42 (or --top)" };
        var top = new Option<int>("--top") { Description = "Show the K units most correlated with quotes, parentheses, the position in the line and words (the most variable fill the rest)", DefaultValueFactory = _ => DefaultTop };
        var output = new Option<string>("--out") { Description = "Folder for gates.html, gates.png and gates.svg", DefaultValueFactory = _ => Path.Combine("runs", "gates") };
        gate.AcceptOnlyFromAmong("h", "c", "i", "f", "g", "o", "r", "z", "n");
        chars.Validators.Add(OptionChecks.Positive);
        top.Validators.Add(OptionChecks.Positive);
        start.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && int.TryParse(r.Tokens[0].Value, CultureInfo.InvariantCulture, out int s) && s < 0)
            {
                r.AddError($"--start must be 0 or more, got {s}");
            }
        });
        units.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && ParseUnits(r.Tokens[0].Value) is null)
            {
                r.AddError($"--units must be unit numbers separated by commas, e.g. 3,17,42; got '{r.Tokens[0].Value}'");
            }
        });

        var command = new Command("gates",
            "Show what the units of a character model's recurrent layer do over a text: gates.html colours each character by a unit's activation, " +
            "gates.png/.svg is the units x characters heatmap.")
        {
            model, text, prime, start, chars, layer, gate, units, top, output,
        };
        command.Validators.Add(r =>
        {
            if ((r.GetResult(text) is null) == (r.GetResult(prime) is null))
            {
                r.AddError("give the text to read with --text FILE or --prime TEXT (one of them)");
            }

            if (r.GetResult(start) is { Implicit: false } && r.GetResult(text) is null)
            {
                r.AddError("--start skips characters of --text; with --prime, give the text to show itself");
            }

            if (r.GetResult(units) is not null && r.GetResult(top) is { Implicit: false })
            {
                r.AddError("--units and --top both choose the units: give one of them");
            }
        });
        command.SetAction(parsed =>
        {
            string? file = parsed.GetValue(text);
            var request = new GatesRequest(
                parsed.GetValue(model)!, file, file is null ? parsed.GetValue(prime)! : ReadText(file, parsed.GetValue(start)), parsed.GetValue(chars),
                parsed.GetValue(layer), parsed.GetValue(gate), ParseUnits(parsed.GetValue(units)), parsed.GetValue(top), parsed.GetValue(output)!);
            Run(request, cli);
        });
        return command;
    }

    /// <summary>A parsed <c>recur gates</c> command line.</summary>
    private sealed record GatesRequest(
        string Model, string? File, string Text, int Chars, int? Layer, string? Gate, int[]? Units, int Top, string Out);

    private static void Run(GatesRequest request, CliContext cli)
    {
        var (network, tokenizer) = LanguageModel.Load(request.Model, TextGenCommand.Kind);
        var recurrent = network.Layers.OfType<RecurrentLayer>().Single();
        string cell = recurrent switch { Lstm => "LSTM", Gru => "GRU", _ => "RNN" };
        int layer = request.Layer ?? recurrent.NumLayers - 1;
        if (layer < 0 || layer >= recurrent.NumLayers)
        {
            throw new CliException(recurrent.NumLayers == 1
                ? $"--layer {layer}: the model has one recurrent layer, 0"
                : $"--layer {layer}: the model has {recurrent.NumLayers} recurrent layers, 0 (reading the characters) to {recurrent.NumLayers - 1}");
        }

        var names = RecurrentActivations.NamesOf(recurrent);
        string quantity = request.Gate ?? (recurrent.HasCellState ? "c" : "h");
        if (!names.Contains(quantity))
        {
            string owner = quantity is "r" or "z" or "n" ? "a GRU" : "an LSTM";
            throw new CliException($"--gate {quantity}: the model is {(cell == "LSTM" ? "an" : "a")} {cell}, which has {string.Join(", ", names)}; {quantity} is {owner}'s");
        }

        int h = recurrent.HiddenSize;
        foreach (int unit in request.Units ?? [])
        {
            if (unit >= h)
            {
                throw new CliException($"--units {unit}: layer {layer} has {h} units, 0 to {h - 1}");
            }
        }

        string what = request.File is null ? "--prime" : $"--text {request.File}";
        var chars = tokenizer.Split(request.Text).Take(request.Chars).ToArray();
        if (chars.Length == 0)
        {
            throw new CliException(request.File is null ? "--prime is empty: there is nothing to show" : $"{request.File}: no characters to show (the file or the part after --start is empty)");
        }

        var ids = LanguageModel.EncodePrompt(tokenizer, string.Concat(chars), what, cli.Error);
        var seen = Activations(network, recurrent, ids, layer)[quantity];

        // [unit][t]: the raw values, and the shown ones that the correlations are measured on.
        var values = new float[h][];
        var shown = new double[h][];
        var shading = new Shading(quantity);
        for (int j = 0; j < h; j++)
        {
            values[j] = new float[ids.Length];
            shown[j] = new double[ids.Length];
            for (int t = 0; t < ids.Length; t++)
            {
                values[j][t] = seen.Span[t * h + j];
                shown[j][t] = shading.Shown(values[j][t]);
            }
        }

        var features = TextFeatures.Of(chars);
        var picked = request.Units is { } given ? UnitChoice.Given(shown, features, given) : UnitChoice.Top(shown, features, request.Top);
        string source = request.File is null
            ? Invariant($"{chars.Length:N0} characters given by --prime")
            : Invariant($"{chars.Length:N0} characters of {request.File}");
        var view = new GatesView(
            Invariant($"{cell} layer {layer} of {recurrent.NumLayers}, {h} units: {Describe(quantity)}"), $"{source}, read by {request.Model}",
            chars, shading, features, picked, picked.Select(u => values[u.Unit]).ToArray());

        Directory.CreateDirectory(request.Out);
        string page = Path.Combine(request.Out, "gates.html");
        OutputFiles.WriteText(page, view.Html());
        var plots = GatesHeatmap.Write(view, request.Out);

        cli.Output.WriteLine($"recur gates: {view.Title}, shown as {shading.ShownAs}");
        cli.Output.WriteLine($"  {source}; features that vary there: {(features.Count == 0 ? "none" : string.Join(", ", features.Select(f => f.Name)))}");
        foreach (string line in view.Summary())
        {
            cli.Output.WriteLine(line);
        }

        cli.Output.WriteLine($"wrote {page}, {string.Join(", ", plots)}");
    }

    /// <summary>Runs the model over the ids from a fresh state and reads the layer's activations: (1, T, H) each.</summary>
    private static RecurrentActivations Activations(Model network, RecurrentLayer recurrent, int[] ids, int layer)
    {
        network.Training = false;
        network.ResetStates();
        var x = new Tensor(1, ids.Length);
        for (int t = 0; t < ids.Length; t++)
        {
            x.Span[t] = ids[t];
        }

        network.Forward(new LayerValue(x));
        return RecurrentActivations.Read(recurrent, layer);
    }

    private static string ReadText(string file, int start)
    {
        if (!File.Exists(file))
        {
            throw new CliException($"--text: no such file: {Path.GetFullPath(file)}");
        }

        string text = TextFile.ReadAllText(file);
        if (string.IsNullOrEmpty(text))
        {
            throw new CliException($"{file}: the file is empty; --text needs a text to show");
        }

        // --start counts characters (runes), as the tokenizer does.
        int offset = 0;
        foreach (var rune in text.EnumerateRunes().Take(start))
        {
            offset += rune.Utf16SequenceLength;
        }

        return text[offset..];
    }

    private static string Describe(string quantity) => quantity switch
    {
        "h" => "hidden state h",
        "c" => "cell state c",
        "i" => "input gate i",
        "f" => "forget gate f",
        "g" => "cell candidate g",
        "o" => "output gate o",
        "r" => "reset gate r",
        "z" => "update gate z",
        _ => "new gate n",
    };

    // "3,17,42" → [3, 17, 42] (repeats dropped); null when it is not such a list.
    private static int[]? ParseUnits(string? list)
    {
        if (list is null)
        {
            return null;
        }

        var units = new List<int>();
        foreach (string part in list.Split(','))
        {
            if (!int.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int unit))
            {
                return null;
            }

            units.Add(unit);
        }

        return [.. units.Distinct()];
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
