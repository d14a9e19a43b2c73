namespace Recur.Cli;

/// <summary>Finds the repository's <c>data/</c> folder, so the demo runs from the repository root or anywhere below it.</summary>
internal static class RepositoryData
{
    /// <summary>
    /// The full path of <paramref name="relativePath"/> (e.g. "text/shakespeare-sonnets/sonnets.txt") under the first
    /// <c>data/</c> folder that holds it, walking up from the current directory, then from the executable's directory.
    /// </summary>
    /// <exception cref="CliException">No such folder: the message names both starting points.</exception>
    public static string Find(string relativePath)
    {
        string[] starts = [Directory.GetCurrentDirectory(), AppContext.BaseDirectory];
        foreach (string start in starts)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "data", relativePath);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new CliException(
            $"cannot find data/{relativePath} in any folder above {starts[0]} or {starts[1]}; run from inside the Recur repository or pass --data FILE");
    }
}
