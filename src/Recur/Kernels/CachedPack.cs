using System.Runtime.InteropServices;

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
internal sealed class WeightSnapshot
{
    private float[] _values = [];
    private int _length = -1; // -1: nothing remembered yet

    /// <summary>Whether <paramref name="values"/> are bit for bit the remembered ones.</summary>
    /// <remarks>
    /// Bitwise: float's SequenceEqual compares element by element (NaN, -0), bytes compare as a vectorised memcmp,
    /// several times cheaper than packing.
    /// </remarks>
    public bool Matches(ReadOnlySpan<float> values) =>
        values.Length == _length
        && MemoryMarshal.AsBytes(values).SequenceEqual(MemoryMarshal.AsBytes(_values.AsSpan(0, _length)));

    public void Remember(ReadOnlySpan<float> values)
    {
        if (_values.Length < values.Length)
        {
            _values = new float[values.Length];
        }

        values.CopyTo(_values);
        _length = values.Length;
    }
}
