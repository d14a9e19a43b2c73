using System.Globalization;
using Recur.Data;

namespace Recur.Tests.Data;

public sealed class CsvReaderTests : IDisposable
{
    private readonly DataTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AirPassengers_has_144_monthly_rows_matching_the_file_text()
    {
        var table = CsvReader.Read(DataTestFiles.AirPassengers);

        Assert.Equal(["year", "month", "passengers"], table.Columns);
        Assert.Equal(144, table.RowCount);
        Assert.True(table.Values.HasShape(144, 3));
        // Compare every row with the raw text, parsed independently.
        var lines = File.ReadAllLines(DataTestFiles.AirPassengers).Skip(1).ToArray();
        for (int r = 0; r < lines.Length; r++)
        {
            var fields = lines[r].Split(',').Select(f => float.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(fields, new[] { table.Values[r, 0], table.Values[r, 1], table.Values[r, 2] });
        }
    }

    [Fact]
    public void Columns_selected_by_name_and_by_index_agree_and_keep_the_requested_order()
    {
        var byName = CsvReader.Read(DataTestFiles.Co2, ["co2_ppm", "year"]);
        var byIndex = CsvReader.Read(DataTestFiles.Co2, [2, 0]);
        var all = CsvReader.Read(DataTestFiles.Co2);

        Assert.Equal(["co2_ppm", "year"], byName.Columns);
        Assert.Equal(byName.Values.Span.ToArray(), byIndex.Values.Span.ToArray());
        Assert.Equal(all.Column("co2_ppm").Span.ToArray(), byName.Column("co2_ppm").Span.ToArray());
        Assert.Equal(468, byName.RowCount);
    }

    [Fact]
    public void Column_names_are_the_first_non_blank_line_split_as_rows_are()
    {
        string path = _dir.Write("names.csv", "\n  \n\"label, class\",\"say \"\"hi\"\"\",p0_0\n1,2,3\n");
        Assert.Equal(["label, class", "say \"hi\"", "p0_0"], CsvReader.ReadColumnNames(path));
        Assert.Equal(["year", "month", "passengers"], CsvReader.ReadColumnNames(DataTestFiles.AirPassengers));

        string empty = _dir.Write("empty.csv", " \n\n");
        var e = Assert.Throws<DataFormatException>(() => CsvReader.ReadColumnNames(empty));
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void Sunspot_months_read_with_decimal_points()
    {
        var table = CsvReader.Read(DataTestFiles.SunspotMonth, ["sunspots"]);

        Assert.Equal(3177, table.RowCount);
        Assert.Equal(62.6f, table.Values[1, 0]);
    }

    [Fact]
    public void Missing_column_lists_the_available_ones()
    {
        var e = Assert.Throws<DataFormatException>(() => CsvReader.Read(DataTestFiles.AirPassengers, ["passenger"]));

        Assert.Contains("AirPassengers.csv:1:", e.Message);
        Assert.Contains("no column 'passenger'", e.Message);
        Assert.Contains("year, month, passengers", e.Message);
    }

    [Fact]
    public void Column_index_past_the_header_is_rejected()
    {
        var e = Assert.Throws<DataFormatException>(() => CsvReader.Read(DataTestFiles.AirPassengers, [3]));

        Assert.Contains("no column at index 3", e.Message);
    }

    [Fact]
    public void Text_in_a_numeric_column_names_file_line_and_column()
    {
        string path = _dir.Write("bad.csv", "a,b\n1,2\n3,4\n5,six\n");

        var e = Assert.Throws<DataFormatException>(() => CsvReader.Read(path));

        Assert.StartsWith(path + ":4: ", e.Message);
        Assert.Equal(4, e.Line);
        Assert.Equal(path, e.FilePath);
        Assert.Contains("column 'b' (index 1) holds 'six'", e.Message);
    }

    [Fact]
    public void Text_in_an_unselected_column_is_ignored()
    {
        string path = _dir.Write("labels.csv", "x,name\n1,one\n2,two\n");

        var table = CsvReader.Read(path, ["x"]);

        Assert.Equal([1f, 2f], table.Values.Span.ToArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("NA")]
    [InlineData("NaN")]
    public void Missing_cells_are_reported_by_default(string cell)
    {
        string path = _dir.Write("gaps.csv", $"a,b\n1,2\n3,{cell}\n");

        var e = Assert.Throws<DataFormatException>(() => CsvReader.Read(path));

        Assert.StartsWith(path + ":3: ", e.Message);
        Assert.Contains("column 'b'", e.Message);
        Assert.Contains("missing value", e.Message);
    }

    [Fact]
    public void Missing_cells_are_skipped_or_filled_when_the_policy_says_so()
    {
        string path = _dir.Write("gaps.csv", "a,b\n1,2\n3,\n5,NA\n7,8\n");

        var skipped = CsvReader.Read(path, new CsvOptions { Missing = MissingValuePolicy.SkipRow });
        var filled = CsvReader.Read(path, new CsvOptions { Missing = MissingValuePolicy.Fill, FillValue = -1 });

        Assert.Equal([1f, 2, 7, 8], skipped.Values.Span.ToArray());
        Assert.Equal([1f, 2, 3, -1, 5, -1, 7, 8], filled.Values.Span.ToArray());
    }

    [Fact]
    public void Quoted_fields_and_crlf_lines_are_read()
    {
        string path = _dir.Write("quoted.csv", "\"a\",\"b, c\"\r\n\"1.5\",2\r\n\r\n3,\"4\"\r\n");

        var table = CsvReader.Read(path, ["b, c"]);

        Assert.Equal([2f, 4f], table.Values.Span.ToArray());
    }

    [Fact]
    public void Row_with_the_wrong_number_of_fields_is_rejected_with_its_line()
    {
        string path = _dir.Write("short.csv", "a,b,c\n1,2,3\n4,5\n");

        var e = Assert.Throws<DataFormatException>(() => CsvReader.Read(path));

        Assert.StartsWith(path + ":3: ", e.Message);
        Assert.Contains("2 fields, the header has 3", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n  \n")]
    public void Empty_file_is_rejected(string text)
    {
        string path = _dir.Write("empty.csv", text);

        var e = Assert.Throws<DataFormatException>(() => CsvReader.Read(path));

        Assert.Contains("empty", e.Message);
        Assert.Null(e.Line);
    }

    [Fact]
    public void Decimal_commas_are_not_read_as_numbers()
    {
        string path = _dir.Write("comma.csv", "a;b\n1,5;2\n");

        var e = Assert.Throws<DataFormatException>(() => CsvReader.Read(path, new CsvOptions { Separator = ';' }));

        Assert.Contains("'1,5'", e.Message);
    }

    [Fact]
    public void Text_columns_are_read_with_their_line_numbers_and_unquoted_tsv_keeps_stray_quotes()
    {
        string csv = _dir.Write("text.csv", "seq,class,id\n\"AC,GT\",ei,1\n\nNan,n,2\n");
        string tsv = _dir.Write("text.tsv", "label\ttext\n1\t\" Great film.\n");

        var (rows, lines) = CsvReader.ReadText(csv, ["class", "seq"]);
        var (tsvRows, _) = CsvReader.ReadText(tsv, ["text"], new CsvOptions { Separator = '\t', Quoted = false });
        var e = Assert.Throws<DataFormatException>(() => CsvReader.ReadText(_dir.Write("gap.csv", "a,b\nx,\n"), ["b"]));

        Assert.Equal([["ei", "AC,GT"], ["n", "Nan"]], rows); // a name, not a missing number
        Assert.Equal([2, 4], lines);
        Assert.Equal("\" Great film.", tsvRows[0][0]);
        Assert.Equal(2, e.Line);
        Assert.Contains("column 'b' (index 1) is empty", e.Message);
    }
}
