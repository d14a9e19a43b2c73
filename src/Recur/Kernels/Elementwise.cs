using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>Small whole-buffer helpers used around the time loop.</summary>
internal static class Elementwise
{
    /// <summary>The index of the first NaN or infinity in <paramref name="x"/>, or -1 when all are finite.</summary>
    public static int IndexOfNonFinite(ReadOnlySpan<float> x)
    {
        int i = 0;
        ref float r = ref MemoryMarshal.GetReference(x);
        for (; i <= x.Length - 8; i += 8)
        {
            var v = Vector256.LoadUnsafe(ref r, (nuint)i);

            // x - x is 0 for finite x and NaN for NaN or ±inf.
            if (!Vector256.EqualsAll(v - v, Vector256<float>.Zero))
            {
                break;
            }
        }

        for (; i < x.Length; i++)
        {
            if (!float.IsFinite(x[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Sets every one of <paramref name="rows"/> rows of <paramref name="destination"/> (rows × n) to <paramref name="row"/>.</summary>
    public static void BroadcastRows(ReadOnlySpan<float> row, Span<float> destination, int rows)
    {
        int n = row.Length;
        for (int r = 0; r < rows; r++)
        {
            row.CopyTo(destination.Slice(r * n, n));
        }
    }

    /// <summary>sum[j] += Σ_r x[r·n + j] over <paramref name="rows"/> rows of length n = sum.Length.</summary>
    public static void AddRowSums(ReadOnlySpan<float> x, int rows, Span<float> sum)
    {
        int n = sum.Length;
        for (int r = 0; r < rows; r++)
        {
            TensorPrimitives.Add(sum, x.Slice(r * n, n), sum);
        }
    }

    /// <summary>
    /// Swaps the first two axes of a (d0, d1, n) buffer into a (d1, d0, n) buffer: batch-first to time-major and back.
    /// </summary>
    public static void SwapLeadingAxes(ReadOnlySpan<float> source, int d0, int d1, int n, Span<float> destination)
    {
        for (int i = 0; i < d0; i++)
        {
            for (int j = 0; j < d1; j++)
            {
                source.Slice((i * d1 + j) * n, n).CopyTo(destination.Slice((j * d0 + i) * n, n));
            }
        }
    }
}
