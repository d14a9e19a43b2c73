using Recur.Bench;

// Each benchmark is a subcommand: dotnet run -c Release --project bench/Recur.Bench -- <name> [options]
var benchmarks = new Dictionary<string, Func<string[], int>>
{
    ["gemm"] = GemmBench.Run,
    ["rnn"] = RecurrentBench.Run,
    ["model"] = ModelBench.Run,
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: Recur.Bench <{string.Join('|', benchmarks.Keys)}> [options]");
    return 2;
}

return run(args[1..]);
