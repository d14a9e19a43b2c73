using Recur.Models;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>Checks and lengths shared by the layers that join several inputs (<see cref="Add"/>, <see cref="Concatenate"/>).</summary>
internal static class MergeInputs
{
    /// <summary>Throws unless a layer that joins inputs got at least two.</summary>
    public static void CheckCount(Layer layer, int count)
    {
        if (count < 2)
        {
            throw new ArgumentException($"{layer.DescribeForErrors()}: expected at least 2 inputs, got {count}.");
        }
    }

    /// <summary>
    /// Throws unless input <paramref name="index"/>'s shape has the rank of input 0's and its sizes on every axis but
    /// <paramref name="exceptAxis"/> (-1: every axis). For per-sample shapes (graph build) and batch shapes alike.
    /// </summary>
    public static void CheckShape(Layer layer, int index, ReadOnlySpan<int> shape, ReadOnlySpan<int> first, int exceptAxis, bool perSample)
    {
        bool same = shape.Length == first.Length;
        for (int a = 0; same && a < shape.Length; a++)
        {
            same = a == exceptAxis || shape[a] == first[a];
        }

        if (!same)
        {
            string except = exceptAxis >= 0 ? $" except on axis {exceptAxis + (perSample ? 1 : 0)}" : "";
            throw new ArgumentException(
                $"{layer.DescribeForErrors()}: input {index} has shape {Tensor.FormatShape(shape)}{(perSample ? " per sample" : "")}, expected the shape of input 0, {Tensor.FormatShape(first)}{except}.");
        }
    }

    /// <summary>The lengths of the first input that carries them, or null.</summary>
    public static int[]? FirstLengths(ReadOnlySpan<LayerValue> inputs)
    {
        foreach (var v in inputs)
        {
            if (v.Lengths is not null)
            {
                return v.Lengths;
            }
        }

        return null;
    }
}
