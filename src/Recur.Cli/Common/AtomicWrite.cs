namespace Recur.Cli.Common;

/// <summary>
/// Writes an output file so that it holds either its old content or the complete new one, never a mix: a temporary
/// file in the same folder (so the move is a rename within one file system), then a rename over the target.
/// </summary>
internal static class AtomicWrite
{
    public static void Bytes(string path, ReadOnlySpan<byte> content)
    {
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Path.GetRandomFileName()}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true); // else a crash after the rename could leave a file whose blocks never reached the disk
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    public static void Text(string path, string content) => Bytes(path, System.Text.Encoding.UTF8.GetBytes(content));
}
