using System.CommandLine;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recur.Cli;

/// <summary><c>recur info</c>: what this machine offers the kernels.</summary>
internal static class InfoCommand
{
    public static Command Create(TextWriter output)
    {
        var command = new Command("info", "Show the Recur version, runtime, OS, CPU cores, SIMD support and compute threads.");
        command.SetAction(_ =>
        {
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

    private static string YesNo(bool value) => value ? "yes" : "no";
}
