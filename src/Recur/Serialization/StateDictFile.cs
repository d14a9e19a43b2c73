using Recur.Modules;
using Recur.Tensors;

namespace Recur.Serialization;

/// <summary>
/// Saves and loads a module's parameters as a safetensors file under their PyTorch names, so that
/// <c>torch.nn.LSTM(...).load_state_dict(safetensors.torch.load_file(path))</c> reads what Recur wrote, and back.
/// </summary>
public static class StateDictFile
{
    /// <summary>Writes <paramref name="module"/>'s state dict (F32) and <paramref name="metadata"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(Module module, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        SafeTensors.Write(path, module.StateDict(), metadata);
    }

    /// <summary>
    /// Loads the tensors in <paramref name="path"/> into <paramref name="module"/>'s parameters by name, like PyTorch's
    /// <c>load_state_dict</c>; F64, F16 and BF16 tensors are converted to float32. Nothing is changed unless every check
    /// passes: with <paramref name="strict"/>, the file must hold exactly the module's parameters; shapes must always match.
    /// </summary>
    /// <returns>The file's <c>__metadata__</c>.</returns>
    /// <exception cref="SafeTensorsFormatException">The file is malformed.</exception>
    /// <exception cref="InvalidDataException">
    /// The file does not fit the module: the message names the file and lists every missing and unexpected tensor
    /// and every shape mismatch.
    /// </exception>
    public static OrderedDictionary<string, string> Load(Module module, string path, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        var file = SafeTensors.Read(path);
        var problems = Mismatches(module, file.Tensors, strict);
        if (problems.Count > 0)
        {
            throw new InvalidDataException(
                $"{path}: the tensors do not match {module.GetType().Name}: {string.Join("; ", problems)}.");
        }

        module.LoadStateDict(file.Tensors, strict);
        return file.Metadata;
    }

    // Module.LoadStateDict reports only the first kind of problem and cannot name the file; list them all here.
    private static List<string> Mismatches(Module module, OrderedDictionary<string, Tensor> tensors, bool strict)
    {
        var problems = new List<string>();
        var names = module.Parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        if (strict)
        {
            var missing = module.Parameters.Where(p => !tensors.ContainsKey(p.Name)).Select(p => p.Name).ToList();
            var unexpected = tensors.Keys.Where(k => !names.Contains(k)).ToList();
            if (missing.Count > 0)
            {
                problems.Add($"missing [{string.Join(", ", missing)}]");
            }

            if (unexpected.Count > 0)
            {
                problems.Add($"unexpected [{string.Join(", ", unexpected)}]");
            }
        }

        foreach (var p in module.Parameters)
        {
            if (tensors.TryGetValue(p.Name, out var t) && !t.Shape.SequenceEqual(p.Value.Shape))
            {
                problems.Add($"'{p.Name}' has shape {t.ShapeText} in the file, the module expects {p.Value.ShapeText}");
            }
        }

        return problems;
    }
}
