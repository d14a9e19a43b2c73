using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Recur.Cli.Common;

namespace Recur.Cli;

/// <summary><c>recur info</c>: what this machine offers the kernels; <c>recur info MODEL</c>: what a saved model is.</summary>
internal static class InfoCommand
{
    public static Command Create(TextWriter output)
    {
        var model = new Argument<string?>("MODEL") { Description = "A saved model file: show its kind, layers, parameters, vocabulary and training history", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("info", "Show the Recur version, runtime, OS, CPU cores, SIMD support and compute threads; or, given MODEL, describe that model.")
        {
            model,
        };
        command.SetAction(parsed =>
        {
            if (parsed.GetValue(model) is { } path)
            {
                DescribeModel(path, output);
                return;
            }

            output.WriteLine($"recur           {App.Version}");
            output.WriteLine($".NET            {RuntimeInformation.FrameworkDescription}");
            output.WriteLine($"OS              {RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})");
            output.WriteLine($"process arch    {RuntimeInformation.ProcessArchitecture}");
            output.WriteLine($"CPU cores       {Environment.ProcessorCount}");
            output.WriteLine($"SIMD            Vector256 accelerated: {YesNo(Vector256.IsHardwareAccelerated)}, " +
                             $"Avx2: {YesNo(Avx2.IsSupported)}, Fma: {YesNo(Fma.IsSupported)}, " +
                             $"Vector512 accelerated: {YesNo(Vector512.IsHardwareAccelerated)}");
            output.WriteLine($"kernel threads  {Kernels.Parallelism.MaxThreads} (GEMM kernel: {(Fma.IsSupported && Avx2.IsSupported ? "AVX2/FMA 6x16" : "portable")})");
        });
        return command;
    }

    private static void DescribeModel(string path, TextWriter output)
    {
        var loaded = ModelStore.Load(path);
        output.WriteLine($"model      {path}");
        output.WriteLine($"kind       {ModelStore.Kind(loaded) ?? "(none: not saved by a recur command)"}");
        if (loaded.Extras["settings"] is { } settings)
        {
            output.WriteLine($"settings   {settings.ToJsonString()}");
        }

        output.WriteLine(loaded.Model.Summary().TrimEnd());
        if (ModelStore.Tokenizer(loaded, path) is { } tokenizer)
        {
            var vocabulary = tokenizer.Vocabulary;
            var first = vocabulary.Tokens.Skip(vocabulary.SpecialCount).Take(12).Select(t => $"'{Escape(t)}'");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"vocabulary {vocabulary.Count:N0} tokens ({vocabulary.SpecialCount} special), most frequent first: {string.Join(" ", first)} ..."));
        }

        if (loaded.History is not { Epochs.Count: > 0 } history)
        {
            output.WriteLine("history    none saved");
            return;
        }

        var last = history.Epochs[^1];
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"history    {history.Epochs.Count} epochs; last: loss {last["loss"]:F4}, val_loss {last["val_loss"]:F4}"));
        double[] val = history["val_loss"];
        if (val.Any(double.IsFinite))
        {
            int best = Array.IndexOf(val, val.Where(double.IsFinite).Min());
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"           best: epoch {best + 1}, val_loss {val[best]:F4} (the weights saved are this epoch's)"));
        }
    }

    // Shows a line break or tab in a token as its escape, so that one token stays on one line.
    private static string Escape(string token) => token.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);

    private static string YesNo(bool value) => value ? "yes" : "no";
}
