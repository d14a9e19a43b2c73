using Recur.Cli.Gates;

namespace Recur.Cli.Tests;

/// <summary>The text features of <c>recur gates</c> and how it picks the units that track them.</summary>
public sealed class GatesFeaturesTests
{
    private static readonly string[] Text = [.. "say \"hi (x)\"\nok".Select(c => c.ToString())];

    [Fact]
    public void Features_are_what_a_unit_could_know_after_each_character()
    {
        var features = TextFeatures.Of(Text);

        Assert.Equal(["quote", "paren", "line", "word"], features.Select(f => f.Short));
        //                 s  a  y  _  "  h  i  _  (  x  )  "  ↵  o  k
        Assert.Equal([0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0], features[0].Values);
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0], features[1].Values);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0, 1, 2], features[2].Values);
        Assert.Equal([1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1], features[3].Values);
    }

    [Fact]
    public void Features_that_do_not_vary_are_left_out()
    {
        Assert.Equal(["line", "word"], TextFeatures.Of([.. "to be\nor not".Select(c => c.ToString())]).Select(f => f.Short));
        Assert.Empty(TextFeatures.Of(["a"]));
    }

    [Fact]
    public void Top_takes_each_features_best_unit_in_turn_then_the_most_variable()
    {
        var text = Enumerable.Repeat(Text, 20).SelectMany(t => t).ToArray();
        var features = TextFeatures.Of(text);
        var rng = new Rng(1);
        double[] Noise(double scale) => [.. text.Select(_ => scale * rng.NextGaussian())];
        double[] Plus(double[] signal, double scale) => [.. signal.Zip(Noise(0.01), (v, e) => scale * v + e)];
        double[][] series =
        [
            Noise(0.05),                        // 0: quiet, tracks nothing
            Plus(features[2].Values, -1.0 / 12), // 1: counts down the line
            Noise(2.0),                         // 2: loud, tracks nothing
            Plus(features[0].Values, 1),        // 3: inside the quotes
            new double[text.Length],            // 4: constant
        ];

        var top = UnitChoice.Top(series, features, 3);

        Assert.Equal([3, 1, 2], top.Select(u => u.Unit));
        Assert.Equal(["inside \"…\"", "position in line", "most variable"], top.Select(u => u.Reason));
        Assert.Equal("inside \"…\", r = +1.00", top[0].Tracks(features));
        Assert.True(top[1].Correlations[2] < -0.99);
        Assert.Null(top[2].Tracks(features));
        Assert.Equal([3, 1, 2, 0, 4], UnitChoice.Top(series, features, 10).Select(u => u.Unit));
        var given = Assert.Single(UnitChoice.Given(series, features, [4]));
        Assert.Equal(("chosen", 0.0, -1), (given.Reason, given.Deviation, given.Feature));
    }
}
