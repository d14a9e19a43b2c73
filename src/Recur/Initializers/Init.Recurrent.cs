using Recur.Layers;
using Recur.Modules;

namespace Recur.Initializers;

public static partial class Init
{
    /// <summary>
    /// Keras-style initialisation of every layer and direction of a recurrent layer, by PyTorch parameter name:
    /// <c>weight_ih_*</c> Glorot uniform over (G·H, I) (Keras' kernel), <c>weight_hh_*</c> by
    /// <paramref name="recurrent"/> per gate block, <c>bias_*</c> zero, and for an LSTM with
    /// <paramref name="unitForgetBias"/> the forget-gate bias of <see cref="LstmForgetGateBias"/>.
    /// </summary>
    /// <param name="layer">An RNN, LSTM or GRU layer.</param>
    /// <param name="recurrent">The scheme for the recurrent weights.</param>
    /// <param name="rng">The seeded source; parameters are drawn in canonical order.</param>
    /// <param name="identityScale">The scale of <see cref="RecurrentInit.Identity"/>.</param>
    /// <param name="unitForgetBias">For an LSTM, start the forget gate open (Keras' <c>unit_forget_bias=True</c>).</param>
    public static void Recurrent(RecurrentLayer layer, RecurrentInit recurrent, Rng rng, float identityScale = 1f, bool unitForgetBias = true)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(rng);
        if (!Enum.IsDefined(recurrent))
        {
            throw new ArgumentOutOfRangeException(nameof(recurrent), recurrent, "recurrent: expected a defined RecurrentInit.");
        }

        int h = layer.HiddenSize;
        foreach (var p in layer.Parameters)
        {
            string name = LocalName(p);
            if (name.StartsWith("weight_ih_", StringComparison.Ordinal))
            {
                GlorotUniform(p.Value, rng);
            }
            else if (name.StartsWith("weight_hh_", StringComparison.Ordinal))
            {
                int gates = p.Value.Dim(0) / h;
                switch (recurrent)
                {
                    case RecurrentInit.Orthogonal: Orthogonal(p.Value, rng, gates); break;
                    case RecurrentInit.Identity: Identity(p.Value, identityScale, gates); break;
                    default: GlorotUniform(p.Value, rng); break;
                }
            }
            else
            {
                Constant(p.Value, 0f);
            }
        }

        if (unitForgetBias && layer.HasCellState && layer.Bias)
        {
            LstmForgetGateBias(layer);
        }
    }

    /// <summary>
    /// Starts every LSTM forget gate open: in each <c>bias_ih_*</c> the f block (rows H..2H-1 of i|f|g|o) is set to 1
    /// and in each <c>bias_hh_*</c> to 0, so that b_if + b_hf = 1, as Keras' <c>unit_forget_bias=True</c> (Keras has
    /// one bias; PyTorch adds two). Other rows are left as they are.
    /// </summary>
    /// <exception cref="ArgumentException">The layer is not an LSTM with biases.</exception>
    public static void LstmForgetGateBias(RecurrentLayer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (!layer.HasCellState || !layer.Bias)
        {
            throw new ArgumentException(
                $"layer: expected an LSTM with biases (gates i|f|g|o), got {layer}.", nameof(layer));
        }

        int h = layer.HiddenSize;
        foreach (var p in layer.Parameters)
        {
            string name = LocalName(p);
            if (name.StartsWith("bias_", StringComparison.Ordinal))
            {
                p.Value.Span.Slice(h, h).Fill(name.StartsWith("bias_ih_", StringComparison.Ordinal) ? 1f : 0f);
            }
        }
    }

    /// <summary>The name without a model's "layer." prefix: "lstm.bias_ih_l0" → "bias_ih_l0".</summary>
    private static string LocalName(Parameter p) => p.Name[(p.Name.LastIndexOf('.') + 1)..];
}
