using System.Runtime.CompilerServices;

namespace Recur.Tests.Data;

/// <summary>Paths to the repository's bundled data/ files, and scratch files for malformed inputs.</summary>
internal static class DataTestFiles
{
    /// <summary>The repository's data/ folder, found from this source file's path (tests run from an artifacts folder elsewhere).</summary>
    public static string Root { get; } = FindRoot();

    public static string AirPassengers => Path.Combine(Root, "timeseries", "r-datasets", "AirPassengers.csv");

    public static string Co2 => Path.Combine(Root, "timeseries", "r-datasets", "co2.csv");

    public static string SunspotMonth => Path.Combine(Root, "timeseries", "r-datasets", "sunspot.month.csv");

    public static string Amazon => Path.Combine(Root, "sentiment", "uci-labelled", "amazon.tsv");

    public static string Imdb => Path.Combine(Root, "sentiment", "uci-labelled", "imdb.tsv");

    private static string FindRoot([CallerFilePath] string sourceFile = "")
    {
        for (var dir = Path.GetDirectoryName(sourceFile); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            string data = Path.Combine(dir, "data");
            if (Directory.Exists(Path.Combine(data, "timeseries")))
            {
                return data;
            }
        }

        throw new DirectoryNotFoundException($"No data/ folder above {sourceFile}.");
    }
}

/// <summary>A fresh temporary directory for malformed files, deleted on dispose.</summary>
internal sealed class DataTempDirectory : IDisposable
{
    private readonly string _path = Directory.CreateTempSubdirectory("recur-data-").FullName;

    public string Write(string name, string text) => Write(name, System.Text.Encoding.UTF8.GetBytes(text));

    public string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose() => Directory.Delete(_path, recursive: true);
}
