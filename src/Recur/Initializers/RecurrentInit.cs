namespace Recur.Initializers;

/// <summary>How <see cref="Init.Recurrent"/> initialises the recurrent weights W_hh of a layer.</summary>
public enum RecurrentInit
{
    /// <summary>An orthogonal (H, H) matrix per gate (Keras' default recurrent kernel).</summary>
    Orthogonal,

    /// <summary>scale·I per gate (the IRNN of Le et al., 2015, for a ReLU RNN).</summary>
    Identity,

    /// <summary>Glorot uniform over the whole (G·H, H) weight.</summary>
    GlorotUniform,
}
