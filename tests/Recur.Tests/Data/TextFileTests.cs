using Recur.Data;

namespace Recur.Tests.Data;

public sealed class TextFileTests : IDisposable
{
    private readonly DataTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Valid_utf8_with_bom_and_crlf_reads_as_lines()
    {
        string path = _dir.Write("ok.txt", [0xEF, 0xBB, 0xBF, .. "caf\u00e9\r\nna\u00efve\n"u8.ToArray()]);

        Assert.Equal(["caf\u00e9", "na\u00efve"], TextFile.ReadLines(path));
        Assert.Equal("caf\u00e9\r\nna\u00efve\n", TextFile.ReadAllText(path));
    }

    [Theory]
    [InlineData(new byte[] { 0x61, 0x62, 0xFF, 0x63 }, 2, 1)]
    [InlineData(new byte[] { 0x61, 0x0A, 0xC3, 0xA9, 0xE9, 0x20, 0x62 }, 4, 2)] // Latin-1 'é' after a valid UTF-8 'é'
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF, 0x61, 0x80 }, 4, 1)] // offset counts the BOM
    public void Invalid_utf8_names_the_file_byte_offset_and_line(byte[] bytes, int offset, int line)
    {
        string path = _dir.Write("latin1.txt", bytes);

        var e = Assert.Throws<DataFormatException>(() => TextFile.ReadAllText(path));

        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains($"invalid UTF-8 at byte offset {offset} (line {line}, 0x", e.Message);
    }

    [Fact]
    public void Readers_built_on_text_files_reject_invalid_utf8_too()
    {
        string csv = _dir.Write("bad.csv", [.. "a\n1\n"u8.ToArray(), 0xFF, 0x0A]);

        var e = Assert.Throws<DataFormatException>(() => CsvReader.Read(csv));

        Assert.Contains("byte offset 4", e.Message);
    }

    [Fact]
    public void Empty_file_has_no_lines()
    {
        Assert.Empty(TextFile.ReadLines(_dir.Write("empty.txt", [])));
    }
}
