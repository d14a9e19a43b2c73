using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Recur.Kernels;

/// <summary>
/// Per-thread scratch for packed panels, allocated on first use and grown only when a larger problem needs it, so
/// steady-state calls allocate nothing. Arrays live on the pinned object heap and are handed out 64-byte aligned,
/// so a 16-float panel row is exactly one cache line.
/// </summary>
internal sealed unsafe class PackBuffers
{
    [ThreadStatic]
    private static PackBuffers? t_current;

    private float[]? _a;
    private float[]? _b;
    private float[]? _x;

    public static PackBuffers Current => t_current ??= new PackBuffers();

    /// <summary>Packed A block, mc×kc in MR-row panels.</summary>
    public float* A(int count) => Ensure(ref _a, count);

    /// <summary>Packed B block, kc×nc in NR-column panels.</summary>
    public float* B(int count) => Ensure(ref _b, count);

    /// <summary>Rows of op(A) made contiguous for the small-m path, m×k.</summary>
    public float* X(int count) => Ensure(ref _x, count);

    /// <summary>A 64-byte aligned pointer into a pinned array of at least <paramref name="count"/> floats.</summary>
    public static float* Ensure(ref float[]? array, int count)
    {
        if (array is null || array.Length < count + 16)
        {
            array = GC.AllocateUninitializedArray<float>(count + 16, pinned: true);
        }

        return Align(array);
    }

    public static float* Align(float[] pinned)
    {
        nint p = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));
        return (float*)((p + 63) & ~(nint)63);
    }
}
