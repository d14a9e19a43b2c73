using System.Runtime.InteropServices;

namespace Recur.Kernels;

/// <summary>
/// A <see cref="PackedMatrix"/> that remembers the values it was packed from and packs again only when they changed.
/// The check compares every value (a vectorised memcmp, several times cheaper than packing), so weights changed by an
/// optimizer, a loaded state dict or a direct write are all seen: inference over many sequences packs W_hh once,
/// as ONNX Runtime does at session creation, without any rule about when weights may change.
/// </summary>
internal sealed class CachedPack
{
    private readonly PackedMatrix _packed = new();
    private float[] _source = [];
    private int _ldb, _k, _n;
    private bool _transB, _valid;

    /// <summary>op(B) packed; see <see cref="PackedMatrix.Pack"/> for the arguments.</summary>
    public PackedMatrix Get(ReadOnlySpan<float> b, int ldb, bool transB, int k, int n)
    {
        int length = (transB ? n : k) * ldb;
        // Bitwise: float's SequenceEqual compares element by element (NaN, -0), bytes compare as a vectorised memcmp.
        if (_valid && ldb == _ldb && transB == _transB && k == _k && n == _n
            && MemoryMarshal.AsBytes(b[..length]).SequenceEqual(MemoryMarshal.AsBytes(_source.AsSpan(0, length))))
        {
            return _packed;
        }

        _packed.Pack(b, ldb, transB, k, n);
        if (_source.Length < length)
        {
            _source = new float[length];
        }

        b[..length].CopyTo(_source);
        (_ldb, _transB, _k, _n, _valid) = (ldb, transB, k, n, true);
        return _packed;
    }
}
