using Recur.Layers;
using Recur.Serialization;
using Recur.Tensors;
using Recur.Tests.Reference;

namespace Recur.Tests.Layers;

/// <summary>
/// Weights leave Recur as a PyTorch state dict in safetensors and come back with identical results. The same file
/// layout is what tools/check_roundtrip.py runs in PyTorch (set RECUR_ROUNDTRIP_DIR to keep the files for it).
/// </summary>
public class WeightExchangeTests
{
    [Theory]
    [InlineData("LSTM", 2, true)]
    [InlineData("GRU", 1, true)]
    [InlineData("RNN_TANH", 2, false)]
    [InlineData("RNN_RELU", 1, false)]
    public void A_saved_state_dict_reloads_into_a_fresh_layer_with_identical_outputs(string mode, int layers, bool bidirectional)
    {
        var original = Create(mode, layers, bidirectional, seed: 5);
        var x = Tensor.FromValues(Tolerance.RandomNormal(new Rng(8), 6 * 2 * 4), 6, 2, 4);
        var expected = original.Forward(x).Output.Clone();

        string dir = Environment.GetEnvironmentVariable("RECUR_ROUNDTRIP_DIR") is { Length: > 0 } keep
            ? Directory.CreateDirectory(keep).FullName
            : Directory.CreateTempSubdirectory("recur-exchange").FullName;
        string path = Path.Combine(dir, $"recur_{mode.ToLowerInvariant()}.safetensors");
        var tensors = original.StateDict();
        tensors["probe_input"] = x;
        tensors["probe_output"] = expected;
        SafeTensors.Write(path, tensors, new Dictionary<string, string>
        {
            ["mode"] = mode,
            ["input_size"] = "4",
            ["hidden_size"] = "9",
            ["num_layers"] = layers.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["bidirectional"] = bidirectional ? "true" : "false",
            ["batch_first"] = "false",
            ["bias"] = "true",
        });

        var copy = Create(mode, layers, bidirectional, seed: 99);
        Assert.NotEqual(expected.Span.ToArray(), copy.Forward(x).Output.Span.ToArray());
        StateDictFile.Load(copy, path, strict: false);
        Assert.Equal(expected.Span.ToArray(), copy.Forward(x).Output.Span.ToArray());

        var strictError = Assert.Throws<InvalidDataException>(() => StateDictFile.Load(Create(mode, layers, bidirectional, 1), path));
        Assert.Contains("probe_input", strictError.Message);
    }

    private static RecurrentLayer Create(string mode, int layers, bool bidirectional, ulong seed) => mode switch
    {
        "LSTM" => new Lstm(4, 9, layers, bidirectional: bidirectional, seed: seed),
        "GRU" => new Gru(4, 9, layers, bidirectional: bidirectional, seed: seed),
        "RNN_RELU" => new Rnn(4, 9, layers, RnnNonlinearity.Relu, bidirectional: bidirectional, seed: seed),
        _ => new Rnn(4, 9, layers, bidirectional: bidirectional, seed: seed),
    };
}
