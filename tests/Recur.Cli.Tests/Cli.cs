using System.Runtime.CompilerServices;

namespace Recur.Cli.Tests;

/// <summary>Runs <c>recur</c> in-process through <see cref="App.Run"/>, capturing what it prints.</summary>
internal static class Cli
{
    public static (int Code, string Output, string Error) Run(params string[] args) => Run(CancellationToken.None, args);

    public static (int Code, string Output, string Error) Run(CancellationToken cancellation, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = App.Run(args, output, error, cancellation);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// A file of bundled data, found the way the commands find it, or else beside this source file's repository
    /// (the tests may run from an artifacts folder outside it, e.g. <c>--artifacts-path /tmp/...</c>).
    /// </summary>
    public static string Bundled(string relativePath)
    {
        string inSource = Path.GetFullPath(Path.Combine(SourceFolder(), "..", "..", "data", relativePath));
        return File.Exists(inSource) ? inSource : RepositoryData.Find(relativePath);
    }

    private static string SourceFolder([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    /// <summary>Writes the first <paramref name="chars"/> characters of a bundled text into <paramref name="folder"/>.</summary>
    public static string Excerpt(string folder, string relativePath, int chars)
    {
        string path = Path.Combine(folder, Path.GetFileName(relativePath));
        File.WriteAllText(path, File.ReadAllText(Bundled(relativePath))[..chars]);
        return path;
    }

    /// <summary>Asserts a failure: exit code 1, nothing on stdout, one "recur: error: " line containing every part.</summary>
    public static void AssertOneErrorLine((int Code, string Output, string Error) run, params string[] parts)
    {
        Assert.Equal(1, run.Code);
        Assert.StartsWith("recur: error: ", run.Error);
        Assert.Single(run.Error.TrimEnd().Split('\n'));
        foreach (string part in parts)
        {
            Assert.Contains(part, run.Error);
        }
    }
}
