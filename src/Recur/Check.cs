using Recur.Kernels;
using Recur.Tensors;

namespace Recur;

/// <summary>
/// Argument checks shared by the public entry points. Every message names the argument, what was expected and what
/// came (for shapes, both shapes).
/// </summary>
internal static class Check
{
    /// <summary>Throws unless <paramref name="tensor"/> has exactly <paramref name="expected"/> as its shape.</summary>
    public static void Shape(Tensor tensor, string name, string meaning, params int[] expected)
    {
        ArgumentNullException.ThrowIfNull(tensor, name);
        if (!tensor.Shape.SequenceEqual(expected))
        {
            throw new ArgumentException(
                $"{name}: expected shape {Tensor.FormatShape(expected)} {meaning}, got {tensor.ShapeText}.", name);
        }
    }

    /// <summary>Throws unless <paramref name="tensor"/> has shape (d0, d1); allocation-free when it does.</summary>
    public static void Shape(Tensor tensor, string name, string meaning, int d0, int d1)
    {
        ArgumentNullException.ThrowIfNull(tensor, name);
        if (tensor.Rank != 2 || tensor.Dim(0) != d0 || tensor.Dim(1) != d1)
        {
            Shape(tensor, name, meaning, [d0, d1]);
        }
    }

    /// <summary>Throws unless <paramref name="tensor"/> has shape (d0, d1, d2); allocation-free when it does.</summary>
    public static void Shape(Tensor tensor, string name, string meaning, int d0, int d1, int d2)
    {
        ArgumentNullException.ThrowIfNull(tensor, name);
        if (tensor.Rank != 3 || tensor.Dim(0) != d0 || tensor.Dim(1) != d1 || tensor.Dim(2) != d2)
        {
            Shape(tensor, name, meaning, [d0, d1, d2]);
        }
    }

    /// <summary>Throws unless <paramref name="tensor"/> has rank <paramref name="rank"/>.</summary>
    public static void Rank(Tensor tensor, int rank, string name, string layout)
    {
        ArgumentNullException.ThrowIfNull(tensor, name);
        if (tensor.Rank != rank)
        {
            throw new ArgumentException(
                $"{name}: expected a rank-{rank} tensor {layout}, got rank {tensor.Rank} with shape {tensor.ShapeText}.", name);
        }
    }

    /// <summary>Throws if any element is NaN or infinite, naming the first such element.</summary>
    public static void Finite(Tensor tensor, string name)
    {
        int i = Elementwise.IndexOfNonFinite(tensor.Span);
        if (i >= 0)
        {
            throw new ArgumentException(
                $"{name}: expected finite values, got {tensor.Span[i]} at index {FormatIndex(i, tensor.Shape)} of shape {tensor.ShapeText}.", name);
        }
    }

    private static string FormatIndex(int flat, ReadOnlySpan<int> shape)
    {
        var index = new int[shape.Length];
        for (int a = shape.Length - 1; a >= 0; a--)
        {
            index[a] = flat % shape[a];
            flat /= shape[a];
        }

        return Tensor.FormatShape(index);
    }
}
