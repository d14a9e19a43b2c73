namespace Recur.Tests.Reference;

/// <summary>The cell kinds of PyTorch's RNN modules, by the mode names PyTorch uses.</summary>
public enum RecurrentMode
{
    RnnTanh,
    RnnRelu,
    Lstm,
    Gru,
}

/// <summary>
/// A slow, obviously-correct recurrent network in double precision, written straight from the equations in
/// PyTorch's documentation, one scalar at a time. The fast float32 layers are tested against it, and its own backward
/// pass is tested against finite differences. No shared code with the library on purpose.
/// </summary>
public sealed class NaiveRecurrent
{
    public NaiveRecurrent(RecurrentMode mode, int inputSize, int hiddenSize, int numLayers, bool bidirectional, bool bias)
    {
        Mode = mode;
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        NumLayers = numLayers;
        Directions = bidirectional ? 2 : 1;
        Bias = bias;
    }

    public RecurrentMode Mode { get; }

    public int InputSize { get; }

    public int HiddenSize { get; }

    public int NumLayers { get; }

    public int Directions { get; }

    public bool Bias { get; }

    public int GateBlocks => Mode switch { RecurrentMode.Lstm => 4, RecurrentMode.Gru => 3, _ => 1 };

    public bool HasCell => Mode == RecurrentMode.Lstm;

    /// <summary>Parameters by PyTorch name, row-major.</summary>
    public Dictionary<string, double[]> Weights { get; } = new();

    public IEnumerable<(string Name, int[] Shape)> ParameterShapes()
    {
        int g = GateBlocks * HiddenSize;
        for (int l = 0; l < NumLayers; l++)
        {
            for (int d = 0; d < Directions; d++)
            {
                string s = $"_l{l}" + (d == 1 ? "_reverse" : "");
                int inSize = l == 0 ? InputSize : Directions * HiddenSize;
                yield return ("weight_ih" + s, [g, inSize]);
                yield return ("weight_hh" + s, [g, HiddenSize]);
                if (Bias)
                {
                    yield return ("bias_ih" + s, [g]);
                    yield return ("bias_hh" + s, [g]);
                }
            }
        }
    }

    public sealed class Result
    {
        public required double[] Output { get; init; }   // (T, B, D·H)

        public required double[] Hn { get; init; }       // (L·D, B, H)

        public double[]? Cn { get; init; }
    }

    public sealed class Gradients
    {
        public required double[] Input { get; init; }    // (T, B, I)

        public required double[] H0 { get; init; }      // (L·D, B, H)

        public double[]? C0 { get; init; }

        public required Dictionary<string, double[]> Weights { get; init; }
    }

    // Everything one step of one direction computed, for backward.
    private sealed record StepCache(double[] X, double[] HPrev, double[] CPrev, double[] Act, double[] Hn, double[] H, double[] C);

    private List<StepCache[,]>? _caches; // [l·D + d][t, b]
    private int _steps, _batch;

    /// <summary>x (T, B, I) time-major; h0/c0 (L·D, B, H) or null for zeros.</summary>
    public Result Forward(double[] x, int steps, int batch, double[]? h0, double[]? c0)
    {
        int h = HiddenSize, dh = Directions * h;
        _steps = steps;
        _batch = batch;
        _caches = [];
        var hn = new double[NumLayers * Directions * batch * h];
        var cn = new double[hn.Length];
        double[] layerInput = x;
        int inSize = InputSize;
        double[] output = [];
        for (int l = 0; l < NumLayers; l++)
        {
            output = new double[steps * batch * dh];
            for (int d = 0; d < Directions; d++)
            {
                int idx = l * Directions + d;
                string s = $"_l{l}" + (d == 1 ? "_reverse" : "");
                var caches = new StepCache[steps, batch];
                _caches.Add(caches);
                for (int b = 0; b < batch; b++)
                {
                    var hPrev = Slice(h0, (idx * batch + b) * h, h);
                    var cPrev = Slice(c0, (idx * batch + b) * h, h);
                    for (int step = 0; step < steps; step++)
                    {
                        int t = d == 1 ? steps - 1 - step : step;
                        var xt = layerInput.AsSpan((t * batch + b) * inSize, inSize).ToArray();
                        var cache = Step(s, xt, hPrev, cPrev);
                        caches[t, b] = cache;
                        Array.Copy(cache.H, 0, output, (t * batch + b) * dh + d * h, h);
                        hPrev = cache.H;
                        cPrev = cache.C;
                    }

                    Array.Copy(hPrev, 0, hn, (idx * batch + b) * h, h);
                    Array.Copy(cPrev, 0, cn, (idx * batch + b) * h, h);
                }
            }

            layerInput = output;
            inSize = dh;
        }

        return new Result { Output = output, Hn = hn, Cn = HasCell ? cn : null };
    }

    /// <summary>
    /// What step t of sequence b computed in the last Forward, in layer l, direction d: the gate activations (G, empty
    /// for the RNN), h_t and c_t (H).
    /// </summary>
    public (double[] Gates, double[] H, double[] C) StepValues(int l, int d, int t, int b)
    {
        var cache = _caches![l * Directions + d][t, b];
        return (Mode is RecurrentMode.Lstm or RecurrentMode.Gru ? cache.Act : [], cache.H, cache.C);
    }

    /// <summary>Exact BPTT for loss = Σ output·dOutput + Σ h_n·dHn + Σ c_n·dCn.</summary>
    public Gradients Backward(double[] dOutput, double[]? dHn, double[]? dCn)
    {
        int h = HiddenSize, dh = Directions * h, steps = _steps, batch = _batch;
        var grads = ParameterShapes().ToDictionary(p => p.Name, p => new double[p.Shape.Aggregate(1, (a, v) => a * v)]);
        var dH0 = new double[NumLayers * Directions * batch * h];
        var dC0 = new double[dH0.Length];
        double[] dOut = dOutput;
        double[] dInput = [];
        for (int l = NumLayers - 1; l >= 0; l--)
        {
            int inSize = l == 0 ? InputSize : dh;
            dInput = new double[steps * batch * inSize];
            for (int d = 0; d < Directions; d++)
            {
                int idx = l * Directions + d;
                string s = $"_l{l}" + (d == 1 ? "_reverse" : "");
                var caches = _caches![idx];
                for (int b = 0; b < batch; b++)
                {
                    var dhNext = Slice(dHn, (idx * batch + b) * h, h);
                    var dcNext = Slice(dCn, (idx * batch + b) * h, h);
                    for (int step = steps - 1; step >= 0; step--)
                    {
                        int t = d == 1 ? steps - 1 - step : step;
                        var dhT = new double[h];
                        for (int j = 0; j < h; j++)
                        {
                            dhT[j] = dOut[(t * batch + b) * dh + d * h + j] + dhNext[j];
                        }

                        var dx = new double[inSize];
                        (dhNext, dcNext) = StepBackward(s, caches[t, b], dhT, dcNext, grads, dx);
                        for (int k = 0; k < inSize; k++)
                        {
                            dInput[(t * batch + b) * inSize + k] += dx[k];
                        }
                    }

                    Array.Copy(dhNext, 0, dH0, (idx * batch + b) * h, h);
                    Array.Copy(dcNext, 0, dC0, (idx * batch + b) * h, h);
                }
            }

            dOut = dInput;
        }

        return new Gradients { Input = dInput, H0 = dH0, C0 = HasCell ? dC0 : null, Weights = grads };
    }

    private StepCache Step(string s, double[] x, double[] hPrev, double[] cPrev)
    {
        int h = HiddenSize, g = GateBlocks * h;
        var wih = Weights["weight_ih" + s];
        var whh = Weights["weight_hh" + s];
        var xPart = new double[g];
        var hPart = new double[g];
        for (int r = 0; r < g; r++)
        {
            xPart[r] = Bias ? Weights["bias_ih" + s][r] : 0;
            hPart[r] = Bias ? Weights["bias_hh" + s][r] : 0;
            for (int k = 0; k < x.Length; k++)
            {
                xPart[r] += wih[r * x.Length + k] * x[k];
            }

            for (int k = 0; k < h; k++)
            {
                hPart[r] += whh[r * h + k] * hPrev[k];
            }
        }

        var act = new double[g];
        var hNew = new double[h];
        var cNew = new double[h];
        var hn = new double[h];
        for (int j = 0; j < h; j++)
        {
            switch (Mode)
            {
                case RecurrentMode.RnnTanh:
                    hNew[j] = Math.Tanh(xPart[j] + hPart[j]);
                    break;
                case RecurrentMode.RnnRelu:
                    hNew[j] = Math.Max(0, xPart[j] + hPart[j]);
                    break;
                case RecurrentMode.Lstm:
                    double i = Sigmoid(xPart[j] + hPart[j]);
                    double f = Sigmoid(xPart[h + j] + hPart[h + j]);
                    double gg = Math.Tanh(xPart[2 * h + j] + hPart[2 * h + j]);
                    double o = Sigmoid(xPart[3 * h + j] + hPart[3 * h + j]);
                    (act[j], act[h + j], act[2 * h + j], act[3 * h + j]) = (i, f, gg, o);
                    cNew[j] = f * cPrev[j] + i * gg;
                    hNew[j] = o * Math.Tanh(cNew[j]);
                    break;
                case RecurrentMode.Gru:
                    double r = Sigmoid(xPart[j] + hPart[j]);
                    double z = Sigmoid(xPart[h + j] + hPart[h + j]);
                    hn[j] = hPart[2 * h + j];
                    double n = Math.Tanh(xPart[2 * h + j] + r * hn[j]);
                    (act[j], act[h + j], act[2 * h + j]) = (r, z, n);
                    hNew[j] = (1 - z) * n + z * hPrev[j];
                    break;
            }
        }

        return new StepCache(x, hPrev, cPrev, act, hn, hNew, cNew);
    }

    private (double[] DhPrev, double[] DcPrev) StepBackward(
        string s, StepCache c, double[] dh, double[] dcNext, Dictionary<string, double[]> grads, double[] dx)
    {
        int h = HiddenSize, g = GateBlocks * h;
        var dxPre = new double[g]; // gradient of the x-side pre-activation
        var dhPre = new double[g]; // gradient of the h-side pre-activation
        var dhPrev = new double[h];
        var dcPrev = new double[h];
        for (int j = 0; j < h; j++)
        {
            switch (Mode)
            {
                case RecurrentMode.RnnTanh:
                    dxPre[j] = dhPre[j] = dh[j] * (1 - c.H[j] * c.H[j]);
                    break;
                case RecurrentMode.RnnRelu:
                    dxPre[j] = dhPre[j] = c.H[j] > 0 ? dh[j] : 0;
                    break;
                case RecurrentMode.Lstm:
                    double i = c.Act[j], f = c.Act[h + j], gg = c.Act[2 * h + j], o = c.Act[3 * h + j];
                    double tc = Math.Tanh(c.C[j]);
                    double dc = dcNext[j] + dh[j] * o * (1 - tc * tc);
                    dxPre[j] = dc * gg * i * (1 - i);
                    dxPre[h + j] = dc * c.CPrev[j] * f * (1 - f);
                    dxPre[2 * h + j] = dc * i * (1 - gg * gg);
                    dxPre[3 * h + j] = dh[j] * tc * o * (1 - o);
                    for (int q = 0; q < 4; q++)
                    {
                        dhPre[q * h + j] = dxPre[q * h + j];
                    }

                    dcPrev[j] = dc * f;
                    break;
                case RecurrentMode.Gru:
                    double r = c.Act[j], z = c.Act[h + j], n = c.Act[2 * h + j];
                    double dn = dh[j] * (1 - z) * (1 - n * n);
                    double dz = dh[j] * (c.HPrev[j] - n) * z * (1 - z);
                    double dr = dn * c.Hn[j] * r * (1 - r);
                    (dxPre[j], dxPre[h + j], dxPre[2 * h + j]) = (dr, dz, dn);
                    (dhPre[j], dhPre[h + j], dhPre[2 * h + j]) = (dr, dz, dn * r);
                    dhPrev[j] += dh[j] * z;
                    break;
            }
        }

        var wih = Weights["weight_ih" + s];
        var whh = Weights["weight_hh" + s];
        var gWih = grads["weight_ih" + s];
        var gWhh = grads["weight_hh" + s];
        int inSize = c.X.Length;
        for (int row = 0; row < g; row++)
        {
            for (int k = 0; k < inSize; k++)
            {
                gWih[row * inSize + k] += dxPre[row] * c.X[k];
                dx[k] += dxPre[row] * wih[row * inSize + k];
            }

            for (int k = 0; k < h; k++)
            {
                gWhh[row * h + k] += dhPre[row] * c.HPrev[k];
                dhPrev[k] += dhPre[row] * whh[row * h + k];
            }

            if (Bias)
            {
                grads["bias_ih" + s][row] += dxPre[row];
                grads["bias_hh" + s][row] += dhPre[row];
            }
        }

        return (dhPrev, dcPrev);
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private double[] Slice(double[]? source, int offset, int length) =>
        source is null ? new double[length] : source.AsSpan(offset, length).ToArray();
}
