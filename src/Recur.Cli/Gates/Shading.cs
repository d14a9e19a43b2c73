namespace Recur.Cli.Gates;

/// <summary>
/// How one quantity of a cell is shown, the same on the page and in the heatmap. The sigmoid gates (i, f, o, r, z)
/// run from white at 0 to green at 1 (closed to open). Everything else is shown on −1 … 1, blue through white to red:
/// h and the tanh gates g and n lie there already, and the LSTM's cell state is shown as tanh(c), as in Karpathy et
/// al.'s figures (c itself is unbounded); a ReLU RNN's h above 1 shows at full red.
/// </summary>
internal sealed class Shading(string quantity)
{
    private static readonly (double R, double G, double B) White = (255, 255, 255), Blue = (33, 102, 172), Red = (178, 24, 43), Green = (35, 139, 69);

    public string Quantity { get; } = quantity;

    /// <summary>Whether the quantity is a sigmoid gate, in [0, 1].</summary>
    public bool Sigmoid { get; } = quantity is "i" or "f" or "o" or "r" or "z";

    /// <summary>The ends of the colour scale.</summary>
    public (double Min, double Max) Range => Sigmoid ? (0, 1) : (-1, 1);

    /// <summary>"tanh(c)" or the quantity itself: what the colours show.</summary>
    public string ShownAs => Quantity == "c" ? "tanh(c)" : Quantity;

    /// <summary>The value the colours show for <paramref name="value"/>.</summary>
    public double Shown(float value) => Quantity == "c" ? Math.Tanh(value) : value;

    /// <summary>The colour of a shown value, clamped to <see cref="Range"/>.</summary>
    public (byte R, byte G, byte B) Colour(double shown)
    {
        if (Sigmoid)
        {
            return Mix(Green, Math.Clamp(shown, 0, 1));
        }

        double v = Math.Clamp(shown, -1, 1);
        return Mix(v < 0 ? Blue : Red, Math.Abs(v));
    }

    /// <summary>Whether text on the colour of <paramref name="shown"/> reads better in white than in black.</summary>
    public bool Dark(double shown) => Sigmoid ? shown > 0.6 : Math.Abs(shown) > 0.6;

    /// <summary>The colours as a ScottPlot colormap over 0 … 1 (the heatmap's range is <see cref="Range"/>).</summary>
    public ScottPlot.IColormap Colormap => new Map(this);

    private static (byte, byte, byte) Mix((double R, double G, double B) to, double amount) => (
        (byte)Math.Round(White.R + (to.R - White.R) * amount),
        (byte)Math.Round(White.G + (to.G - White.G) * amount),
        (byte)Math.Round(White.B + (to.B - White.B) * amount));

    private sealed class Map(Shading shading) : ScottPlot.IColormap
    {
        public string Name => "recur gates " + shading.Quantity;

        public ScottPlot.Color GetColor(double position)
        {
            var (min, max) = shading.Range;
            var (r, g, b) = shading.Colour(min + position * (max - min));
            return new ScottPlot.Color(r, g, b);
        }
    }
}
