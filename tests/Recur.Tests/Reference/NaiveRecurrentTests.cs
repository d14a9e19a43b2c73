namespace Recur.Tests.Reference;

/// <summary>The double-precision reference's backward pass against central finite differences of its forward.</summary>
public class NaiveRecurrentTests
{
    public static TheoryData<RecurrentMode, int, bool, bool> Configs() => new()
    {
        { RecurrentMode.RnnTanh, 2, true, true },
        { RecurrentMode.RnnRelu, 2, true, true },
        { RecurrentMode.Lstm, 2, true, true },
        { RecurrentMode.Gru, 2, true, true },
        { RecurrentMode.Lstm, 1, false, false },
        { RecurrentMode.Gru, 1, false, false },
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void Backward_matches_finite_differences_for_every_input_state_and_weight(
        RecurrentMode mode, int layers, bool bidirectional, bool withInitialState)
    {
        const int steps = 4, batch = 2, input = 3, hidden = 5;
        var rng = new Rng(7);
        var net = new NaiveRecurrent(mode, input, hidden, layers, bidirectional, bias: true);
        foreach (var (name, shape) in net.ParameterShapes())
        {
            net.Weights[name] = Tolerance.ToDouble(Tolerance.RandomNormal(rng, shape.Aggregate(1, (a, v) => a * v), 0.5));
        }

        int states = layers * net.Directions * batch * hidden;
        var x = Tolerance.ToDouble(Tolerance.RandomNormal(rng, steps * batch * input));
        double[]? h0 = withInitialState ? Tolerance.ToDouble(Tolerance.RandomNormal(rng, states)) : null;
        double[]? c0 = withInitialState && net.HasCell ? Tolerance.ToDouble(Tolerance.RandomNormal(rng, states)) : null;
        var gOut = Tolerance.ToDouble(Tolerance.RandomNormal(rng, steps * batch * net.Directions * hidden));
        var gHn = Tolerance.ToDouble(Tolerance.RandomNormal(rng, states));
        var gCn = net.HasCell ? Tolerance.ToDouble(Tolerance.RandomNormal(rng, states)) : null;

        double Loss()
        {
            var r = net.Forward(x, steps, batch, h0, c0);
            double sum = Dot(r.Output, gOut) + Dot(r.Hn, gHn);
            return r.Cn is null ? sum : sum + Dot(r.Cn, gCn!);
        }

        Loss();
        var grads = net.Backward(gOut, gHn, gCn);

        CheckAgainstFiniteDifferences(x, grads.Input, Loss, "input");
        if (h0 is not null)
        {
            CheckAgainstFiniteDifferences(h0, grads.H0, Loss, "h0");
        }

        if (c0 is not null)
        {
            CheckAgainstFiniteDifferences(c0, grads.C0!, Loss, "c0");
        }

        foreach (var (name, _) in net.ParameterShapes())
        {
            CheckAgainstFiniteDifferences(net.Weights[name], grads.Weights[name], Loss, name);
        }
    }

    private static void CheckAgainstFiniteDifferences(double[] values, double[] analytic, Func<double> loss, string what)
    {
        const double eps = 1e-6;
        for (int i = 0; i < values.Length; i++)
        {
            double saved = values[i];
            values[i] = saved + eps;
            double plus = loss();
            values[i] = saved - eps;
            double minus = loss();
            values[i] = saved;
            double numeric = (plus - minus) / (2 * eps);
            Assert.True(Math.Abs(numeric - analytic[i]) <= 1e-6 * Math.Max(1, Math.Abs(numeric)),
                $"{what}[{i}]: finite difference {numeric:G10}, backward {analytic[i]:G10}.");
        }
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }
}
