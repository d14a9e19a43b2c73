namespace Recur.Kernels;

/// <summary>
/// A <see cref="PackedMatrix"/> that remembers the values it was packed from and packs again only when they changed.
/// The check compares every value (see <see cref="WeightSnapshot"/>), so weights changed by an optimizer, a loaded
/// state dict or a direct write are all seen: inference over many sequences packs W_hh once, as ONNX Runtime does at
/// session creation, without any rule about when weights may change.
/// </summary>
internal sealed class CachedPack
{
    private readonly PackedMatrix _packed = new();
    private readonly WeightSnapshot _source = new();
    private int _ldb, _k, _n;
    private bool _transB;

    /// <summary>op(B) packed; see <see cref="PackedMatrix.Pack"/> for the arguments.</summary>
    public PackedMatrix Get(ReadOnlySpan<float> b, int ldb, bool transB, int k, int n)
    {
        var values = b[..((transB ? n : k) * ldb)];
        if (ldb == _ldb && transB == _transB && k == _k && n == _n && _source.Matches(values))
        {
            return _packed;
        }

        _packed.Pack(b, ldb, transB, k, n);
        _source.Remember(values);
        (_ldb, _transB, _k, _n) = (ldb, transB, k, n);
        return _packed;
    }
}

/// <summary>A copy of a weight's values, to tell whether they changed since a packed form was made from them.</summary>
internal sealed unsafe class WeightSnapshot
{
    /// <summary>From this many values the comparison is split across the kernel workers (a single sequence's
    /// forward pays it on every call, and reading two copies of a large weight is memory-bound).</summary>
    private const int ParallelMinValues = 1 << 16;

    private readonly CompareJob _job = new();
    private float[] _values = []; // pinned, so the workers can read it through a pointer
    private int _length = -1;     // -1: nothing remembered yet

    /// <summary>Whether <paramref name="values"/> are bit for bit the remembered ones.</summary>
    /// <remarks>
    /// Bitwise: float's SequenceEqual compares element by element (NaN, -0), bytes compare as a vectorised memcmp,
    /// several times cheaper than packing.
    /// </remarks>
    public bool Matches(ReadOnlySpan<float> values)
    {
        if (values.Length != _length)
        {
            return false;
        }

        fixed (float* current = values, remembered = _values)
        {
            _job.Set(current, remembered, values.Length);
            WorkerPool.RunOrInline(_job, values.Length >= ParallelMinValues ? WorkerPool.Threads : 1);
            return !_job.Differs;
        }
    }

    public void Remember(ReadOnlySpan<float> values)
    {
        if (_values.Length < values.Length)
        {
            _values = GC.AllocateUninitializedArray<float>(values.Length, pinned: true);
        }

        values.CopyTo(_values);
        _length = values.Length;
    }

    /// <summary>Part p of P compares values [n·p/P, n·(p+1)/P) of the two copies.</summary>
    private sealed class CompareJob : ParallelJob
    {
        private float* _a, _b;
        private int _length;
        private volatile bool _differs;

        public bool Differs => _differs;

        public void Set(float* a, float* b, int length)
        {
            _a = a;
            _b = b;
            _length = length;
            _differs = false;
        }

        public override void Run(int part, int parts)
        {
            long start = (long)_length * part / parts, end = (long)_length * (part + 1) / parts;
            var a = new ReadOnlySpan<byte>(_a + start, (int)(end - start) * sizeof(float));
            var b = new ReadOnlySpan<byte>(_b + start, (int)(end - start) * sizeof(float));
            if (!a.SequenceEqual(b))
            {
                _differs = true;
            }
        }
    }
}
