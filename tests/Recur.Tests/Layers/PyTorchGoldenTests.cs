using Recur.Layers;
using Recur.Serialization;
using Recur.Tensors;
using Recur.Tests.Reference;

namespace Recur.Tests.Layers;

/// <summary>
/// Recur against torch.nn.RNN/LSTM/GRU on files written by tools/make_golden.py (PyTorch 1.13, computed in double
/// from float32 weights and inputs): outputs, final states and every gradient agree within 1e-5 of the magnitude.
/// </summary>
public class PyTorchGoldenTests
{
    private const double Tol = 1e-5;

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(GoldenDirectory, "*.safetensors").Order(StringComparer.Ordinal))
        {
            if (!Path.GetFileName(f).StartsWith("lstm_trained", StringComparison.Ordinal))
            {
                data.Add(Path.GetFileNameWithoutExtension(f));
            }
        }

        return data;
    }

    private static string GoldenDirectory => Path.Combine(AppContext.BaseDirectory, "Golden");

    [Fact]
    public void Every_mode_and_option_has_golden_cases()
    {
        var names = Directory.GetFiles(GoldenDirectory, "*.safetensors").Select(Path.GetFileNameWithoutExtension).ToList();
        names.Remove("lstm_trained_state_dict");
        Assert.Equal(24, names.Count);
        foreach (var mode in new[] { "rnn_tanh", "rnn_relu", "lstm", "gru" })
        {
            foreach (var option in new[] { "_t1_b1", "_init", "_2layer", "_bidir_init", "_2layer_bidir_batchfirst_init", "_t30" })
            {
                Assert.Contains(mode + option, names);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Outputs_states_and_gradients_match_pytorch(string name)
    {
        var file = SafeTensors.Read(Path.Combine(GoldenDirectory, name + ".safetensors"));
        var meta = file.Metadata;
        var t = file.Tensors;
        var layer = Create(meta);
        var stateDict = layer.Parameters.ToDictionary(p => p.Name, p => t[p.Name]);
        layer.LoadStateDict(stateDict);

        bool init = meta["has_initial_state"] == "true";
        var initial = init ? new RecurrentState(t["h0"], layer.HasCellState ? t["c0"] : null) : null;
        var result = layer.Forward(t["input"], initial);
        Assert.Equal(t["output"].Shape.ToArray(), result.Output.Shape.ToArray());
        Tolerance.AssertClose(t["output"].Span, result.Output.Span, Tol, name + " output");
        Tolerance.AssertClose(t["h_n"].Span, result.FinalState.Hidden.Span, Tol, name + " h_n");
        if (layer.HasCellState)
        {
            Tolerance.AssertClose(t["c_n"].Span, result.FinalState.Cell!.Span, Tol, name + " c_n");
        }

        layer.ZeroGrad();
        var grads = layer.Backward(t["grad_output"], new RecurrentState(t["grad_h_n"], layer.HasCellState ? t["grad_c_n"] : null));
        Tolerance.AssertClose(t["grad.input"].Span, grads.Input.Span, Tol, name + " grad.input");
        if (init)
        {
            Tolerance.AssertClose(t["grad.h0"].Span, grads.InitialState.Hidden.Span, Tol, name + " grad.h0");
            if (layer.HasCellState)
            {
                Tolerance.AssertClose(t["grad.c0"].Span, grads.InitialState.Cell!.Span, Tol, name + " grad.c0");
            }
        }

        foreach (var p in layer.Parameters)
        {
            Tolerance.AssertClose(t["grad." + p.Name].Span, p.Grad.Span, Tol, $"{name} grad.{p.Name}");
        }
    }

    [Fact]
    public void An_lstm_trained_in_pytorch_runs_in_recur_with_the_same_predictions()
    {
        var file = SafeTensors.Read(Path.Combine(GoldenDirectory, "lstm_trained_state_dict.safetensors"));
        var t = file.Tensors;
        var lstm = new Lstm(4, 16, numLayers: 2);
        lstm.LoadStateDict(t.Where(kv => kv.Key.StartsWith("lstm.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["lstm.".Length..], kv => kv.Value));

        var output = lstm.Forward(t["probe_input"]).Output;
        Tolerance.AssertClose(t["probe_output"].Span, output.Span, Tol, "probe_output");

        // The Linear(16, 1) head, applied by hand: prediction = output · Wᵀ + b.
        var w = t["linear.weight"].Span;
        float bias = t["linear.bias"].Span[0];
        var prediction = new float[output.Length / 16];
        for (int r = 0; r < prediction.Length; r++)
        {
            float sum = bias;
            for (int k = 0; k < 16; k++)
            {
                sum += output.Span[r * 16 + k] * w[k];
            }

            prediction[r] = sum;
        }

        Tolerance.AssertClose(t["probe_prediction"].Span, prediction, Tol, "probe_prediction");
    }

    private static RecurrentLayer Create(IReadOnlyDictionary<string, string> meta)
    {
        var mode = meta["mode"] switch
        {
            "LSTM" => RecurrentMode.Lstm,
            "GRU" => RecurrentMode.Gru,
            "RNN_RELU" => RecurrentMode.RnnRelu,
            "RNN_TANH" => RecurrentMode.RnnTanh,
            var m => throw new InvalidDataException($"Unknown mode {m}."),
        };
        return LayerFactory.Create(
            mode, int.Parse(meta["input_size"]), int.Parse(meta["hidden_size"]), int.Parse(meta["num_layers"]),
            meta["bidirectional"] == "true", meta["batch_first"] == "true", meta["bias"] == "true");
    }
}
