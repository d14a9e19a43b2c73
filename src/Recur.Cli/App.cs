using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Reflection;
using Recur.Cli.Classify;
using Recur.Cli.Common;
using Recur.Cli.Demo;
using Recur.Cli.Forecast;
using Recur.Cli.Gates;
using Recur.Cli.GradFlow;
using Recur.Cli.Seq2Seq;
using Recur.Cli.Text;
using Recur.Data;

namespace Recur.Cli;

/// <summary>The <c>recur</c> command line: parses the arguments, runs a command, turns every failure into one line.</summary>
internal static class App
{
    /// <summary>The version in <c>--version</c> and <c>recur info</c>, e.g. "0.1.0+3f2c1ab".</summary>
    public static string Version { get; } = ShortVersion(
        typeof(App).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown");

    /// <summary>Runs <c>recur</c> with <paramref name="args"/>; returns the exit code (0 success, 1 failure, 2 usage error).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancellation)
    {
        // A live progress bar only when the output is the terminal itself (not a file, a pipe or a test's writer).
        var cli = new CliContext(output, error, ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected, cancellation);
        var root = new RootCommand("Recur: recurrent neural networks (RNN, LSTM, GRU) in pure C#.")
        {
            TextGenCommand.Create(cli),
            GatesCommand.Create(cli),
            Seq2SeqCommand.Create(cli),
            NextWordCommand.Create(cli),
            ForecastCommand.Create(cli),
            ClassifyCommand.Create(cli),
            GradFlowCommand.Create(cli),
            InfoCommand.Create(output),
            DemoCommand.Create(cli),
        };

        // The built-in action prints the entry assembly's version, which is the test host's under a test runner.
        root.Options.OfType<VersionOption>().Single().Action = new PrintVersion(output);

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            error.WriteLine($"recur: error: {UsageError(parsed.Errors[0])} (see 'recur --help')");
            return 2;
        }

        try
        {
            // Ctrl+C is handled by Program (stop after the current step), not by System.CommandLine's termination timeout.
            return parsed.Invoke(new InvocationConfiguration
            {
                Output = output,
                Error = error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            });
        }
        catch (Exception e) when (e is CliException or IOException or UnauthorizedAccessException or ArgumentException or InvalidDataException or DataFormatException)
        {
            error.WriteLine($"recur: error: {e.Message}");
            return 1;
        }
        catch (Exception e)
        {
            error.WriteLine($"recur: error: unexpected {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// A parse error on one line, naming the option it concerns: System.CommandLine lists the allowed values of an
    /// option on separate lines ("Argument 'x' not recognized. Must be one of:\n\t'a'\n\t'b'").
    /// </summary>
    private static string UsageError(ParseError parseError)
    {
        string message = string.Join(' ', parseError.Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Replace("' '", "', '", StringComparison.Ordinal);
        var option = parseError.SymbolResult switch
        {
            OptionResult o => o.Option,
            ArgumentResult { Parent: OptionResult o } => o.Option,
            _ => null,
        };
        return option is null || message.Contains(option.Name, StringComparison.Ordinal) ? message : $"{option.Name}: {message}";
    }

    // "0.1.0+<40-hex commit>" → "0.1.0+<7-hex commit>", as git abbreviates it.
    private static string ShortVersion(string informational)
    {
        int plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus >= 0 && informational.Length > plus + 8 ? informational[..(plus + 8)] : informational;
    }

    private sealed class PrintVersion(TextWriter output) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            output.WriteLine(Version);
            return 0;
        }
    }
}
