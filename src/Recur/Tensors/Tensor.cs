using System.Runtime.CompilerServices;

namespace Recur.Tensors;

/// <summary>
/// A dense float32 tensor: row-major (the last axis is contiguous), with an explicit shape.
/// </summary>
/// <remarks>
/// A tensor is a view of <see cref="Length"/> consecutive floats of <see cref="Buffer"/> starting at
/// <see cref="Offset"/>; several tensors may view one buffer (see <see cref="Reshape"/> and <see cref="Slice"/>).
/// Hot code works on <see cref="Span"/>; the indexer is for tests and small tools.
/// Shape letters used throughout Recur: B batch, T time steps, I input features, H hidden units,
/// G gate rows (1·H for RNN, 3·H for GRU, 4·H for LSTM), L layers, D directions (1 or 2).
/// </remarks>
public sealed class Tensor
{
    private readonly int[] _shape;

    /// <summary>Creates a zero-filled tensor of the given shape.</summary>
    public Tensor(params int[] shape)
        : this(new float[CheckedLength(shape, nameof(shape))], 0, shape, exact: true)
    {
    }

    /// <summary>Wraps <paramref name="data"/> (not copied) as a tensor of the given shape.</summary>
    /// <exception cref="ArgumentException">The shape's element count differs from the data length.</exception>
    public Tensor(float[] data, params int[] shape)
        : this(data ?? throw new ArgumentNullException(nameof(data)), 0, shape, exact: true)
    {
    }

    private Tensor(float[] buffer, int offset, int[] shape, bool exact = false)
    {
        int length = CheckedLength(shape, nameof(shape));
        if (exact && buffer.Length != length)
        {
            throw new ArgumentException(
                $"Expected {length} values for shape {FormatShape(shape)}, got an array of {buffer.Length}.", "data");
        }

        if (offset < 0 || offset > buffer.Length - length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset),
                $"A view of {length} values at offset {offset} does not fit a buffer of {buffer.Length}.");
        }

        Buffer = buffer;
        Offset = offset;
        Length = length;
        _shape = (int[])shape.Clone();
    }

    /// <summary>The storage this tensor views.</summary>
    public float[] Buffer { get; }

    /// <summary>Index in <see cref="Buffer"/> of the first element.</summary>
    public int Offset { get; }

    /// <summary>Number of elements (the product of the shape).</summary>
    public int Length { get; }

    /// <summary>The size of every axis.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>Number of axes.</summary>
    public int Rank => _shape.Length;

    /// <summary>The elements, row-major.</summary>
    public Span<float> Span => Buffer.AsSpan(Offset, Length);

    /// <summary>The shape formatted as "(2, 3, 4)", for messages.</summary>
    public string ShapeText => FormatShape(_shape);

    /// <summary>The size of axis <paramref name="axis"/>; negative axes count from the end.</summary>
    public int Dim(int axis)
    {
        int a = axis < 0 ? axis + Rank : axis;
        if ((uint)a >= (uint)Rank)
        {
            throw new ArgumentOutOfRangeException(nameof(axis), $"Axis {axis} is out of range for a tensor of shape {ShapeText}.");
        }

        return _shape[a];
    }

    /// <summary>Reads or writes one element (for tests and tools; hot code uses <see cref="Span"/>).</summary>
    public float this[params int[] index]
    {
        get => Buffer[Offset + FlatIndex(index)];
        set => Buffer[Offset + FlatIndex(index)] = value;
    }

    /// <summary>
    /// A (d0, d1, d2) view of <paramref name="buffer"/> at <paramref name="offset"/>, reusing <paramref name="slot"/>
    /// when it already is that view: layers hand out their own buffers this way without allocating per call.
    /// </summary>
    internal static Tensor ReuseView(ref Tensor? slot, float[] buffer, int offset, int d0, int d1, int d2)
    {
        if (slot is null || !ReferenceEquals(slot.Buffer, buffer) || slot.Offset != offset || slot.Rank != 3
            || slot._shape[0] != d0 || slot._shape[1] != d1 || slot._shape[2] != d2)
        {
            slot = new Tensor(buffer, offset, [d0, d1, d2]);
        }

        return slot;
    }

    /// <summary>
    /// <paramref name="slot"/> if it already has shape (d0, d1) or (d0, d1, d2) (d2 = 0: rank 2), else a new
    /// zero-filled tensor of that shape stored in the slot: reusable scratch without per-call allocation.
    /// </summary>
    internal static Tensor Reuse(ref Tensor? slot, int d0, int d1, int d2 = 0)
    {
        bool rank3 = d2 > 0;
        if (slot is null || slot.Rank != (rank3 ? 3 : 2) || slot._shape[0] != d0 || slot._shape[1] != d1 || (rank3 && slot._shape[2] != d2))
        {
            slot = rank3 ? new Tensor(d0, d1, d2) : new Tensor(d0, d1);
        }

        return slot;
    }

    /// <summary>
    /// <paramref name="slot"/> if it already has shape <paramref name="shape"/> (any rank), else a new zero-filled
    /// tensor of that shape stored in the slot: scratch that follows its input's shape without per-call allocation.
    /// </summary>
    internal static Tensor ReuseShape(ref Tensor? slot, ReadOnlySpan<int> shape)
    {
        if (slot is null || !slot.Shape.SequenceEqual(shape))
        {
            slot = new Tensor(shape.ToArray());
        }

        return slot;
    }

    /// <summary>
    /// A view of <paramref name="buffer"/> at <paramref name="offset"/> with the given shape, for layers that hand out
    /// the first part of a buffer they grow and reuse.
    /// </summary>
    internal static Tensor View(float[] buffer, int offset, params int[] shape) => new(buffer, offset, shape);

    /// <summary><paramref name="slot"/> if it already has <paramref name="shape"/>, else a new zero-filled tensor of it stored in the slot.</summary>
    internal static Tensor Reuse(ref Tensor? slot, ReadOnlySpan<int> shape)
    {
        if (slot is null || !slot.Shape.SequenceEqual(shape))
        {
            slot = new Tensor(shape.ToArray());
        }

        return slot;
    }

    /// <summary>A zero-filled tensor.</summary>
    public static Tensor Zeros(params int[] shape) => new(shape);

    /// <summary>A copy of <paramref name="values"/> with the given shape.</summary>
    public static Tensor FromValues(ReadOnlySpan<float> values, params int[] shape)
    {
        var t = new Tensor(shape);
        if (values.Length != t.Length)
        {
            throw new ArgumentException(
                $"Expected {t.Length} values for shape {FormatShape(shape)}, got {values.Length}.", nameof(values));
        }

        values.CopyTo(t.Span);
        return t;
    }

    /// <summary>A view of the same elements with another shape of the same element count.</summary>
    public Tensor Reshape(params int[] shape)
    {
        int length = CheckedLength(shape, nameof(shape));
        if (length != Length)
        {
            throw new ArgumentException(
                $"Cannot reshape {ShapeText} ({Length} elements) to {FormatShape(shape)} ({length} elements).", nameof(shape));
        }

        return new Tensor(Buffer, Offset, shape);
    }

    /// <summary>A view of rows <paramref name="start"/> .. start+count-1 along axis 0.</summary>
    public Tensor Slice(int start, int count)
    {
        if (Rank == 0)
        {
            throw new InvalidOperationException("A scalar tensor has no axis to slice.");
        }

        if (start < 0 || count < 0 || start > _shape[0] - count)
        {
            throw new ArgumentOutOfRangeException(nameof(start),
                $"Rows {start}..{start + count - 1} are out of range for axis 0 of shape {ShapeText}.");
        }

        int rowLength = _shape[0] == 0 ? 0 : Length / _shape[0];
        var shape = (int[])_shape.Clone();
        shape[0] = count;
        return new Tensor(Buffer, Offset + start * rowLength, shape);
    }

    /// <summary>A deep copy with its own buffer.</summary>
    public Tensor Clone() => FromValues(Span, _shape);

    /// <summary>Whether <paramref name="shape"/> equals this tensor's shape.</summary>
    public bool HasShape(params int[] shape) => Shape.SequenceEqual(shape);

    /// <summary>Formats a shape as "(2, 3, 4)".</summary>
    public static string FormatShape(ReadOnlySpan<int> shape) => "(" + string.Join(", ", shape.ToArray()) + ")";

    /// <inheritdoc />
    public override string ToString() => $"Tensor{ShapeText}";

    private int FlatIndex(int[] index)
    {
        if (index.Length != Rank)
        {
            throw new ArgumentException($"Expected {Rank} indices for shape {ShapeText}, got {index.Length}.", nameof(index));
        }

        int flat = 0;
        for (int a = 0; a < index.Length; a++)
        {
            if ((uint)index[a] >= (uint)_shape[a])
            {
                throw new IndexOutOfRangeException(
                    $"Index {index[a]} is out of range for axis {a} of shape {ShapeText}.");
            }

            flat = flat * _shape[a] + index[a];
        }

        return flat;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int CheckedLength(int[] shape, string paramName)
    {
        ArgumentNullException.ThrowIfNull(shape, paramName);
        long length = 1;
        foreach (int d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException($"Shape dimensions must be >= 0, got {FormatShape(shape)}.", paramName);
            }

            length *= d;
            if (length > Array.MaxLength)
            {
                throw new ArgumentException($"Shape {FormatShape(shape)} has more elements than an array can hold.", paramName);
            }
        }

        return (int)length;
    }
}
