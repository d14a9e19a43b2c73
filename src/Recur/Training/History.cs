using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Recur.Training;

/// <summary>One epoch's figures: "loss", "val_loss", metric names with and without the "val_" prefix, "lr", "seconds".</summary>
public sealed class EpochLog
{
    internal EpochLog(int epoch) => Epoch = epoch;

    /// <summary>The epoch, from 0.</summary>
    public int Epoch { get; }

    /// <summary>The figures by name, in the order they were added.</summary>
    public OrderedDictionary<string, double> Values { get; } = new(StringComparer.Ordinal);

    /// <summary>The figure called <paramref name="name"/>, or NaN when absent.</summary>
    public double this[string name] => Values.TryGetValue(name, out double v) ? v : double.NaN;
}

/// <summary>What <c>Model.Fit</c> returns (Keras' History): the figures of every epoch.</summary>
public sealed class History
{
    private readonly List<EpochLog> _epochs = [];

    /// <summary>Every epoch so far.</summary>
    public IReadOnlyList<EpochLog> Epochs => _epochs;

    /// <summary>The series of one figure over the epochs (NaN where an epoch lacks it).</summary>
    public double[] this[string name] => _epochs.Select(e => e[name]).ToArray();

    internal void Add(EpochLog log) => _epochs.Add(log);

    /// <summary>A CSV table: epoch, then every figure.</summary>
    public string ToCsv()
    {
        var names = _epochs.SelectMany(e => e.Values.Keys).Distinct().ToList();
        var sb = new StringBuilder("epoch");
        foreach (var n in names)
        {
            sb.Append(',').Append(n);
        }

        sb.Append('\n');
        foreach (var e in _epochs)
        {
            sb.Append(e.Epoch.ToString(CultureInfo.InvariantCulture));
            foreach (var n in names)
            {
                sb.Append(',').Append(e[n].ToString("R", CultureInfo.InvariantCulture));
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>As JSON: {"loss": [..], "val_loss": [..], ...}, for saved models.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject();
        foreach (var n in _epochs.SelectMany(e => e.Values.Keys).Distinct())
        {
            json[n] = new JsonArray(this[n].Select(v => (JsonNode)(double.IsFinite(v) ? v : (double?)null)!).ToArray());
        }

        return json;
    }

    /// <summary>Reads <see cref="ToJson"/>'s form back.</summary>
    public static History FromJson(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var history = new History();
        int epochs = json.Select(kv => (kv.Value as JsonArray)?.Count ?? 0).DefaultIfEmpty(0).Max();
        for (int e = 0; e < epochs; e++)
        {
            var log = new EpochLog(e);
            foreach (var (name, values) in json)
            {
                if (values is JsonArray a && e < a.Count)
                {
                    log.Values[name] = a[e]?.GetValue<double>() ?? double.NaN;
                }
            }

            history.Add(log);
        }

        return history;
    }
}
