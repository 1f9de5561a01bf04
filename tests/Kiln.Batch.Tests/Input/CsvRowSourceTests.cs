using System.Text;
using Kiln.Batch.Input;
using Kiln.Batch.Input.Csv;
using Kiln.Batch.Scoring;
using Kiln.Core;
using Kiln.Core.Packaging;
using Kiln.Inference.Decoding;

namespace Kiln.Batch.Tests.Input;

/// <summary>
/// The CSV reader against files generated with every RFC 4180 feature (quotes, doubled quotes, commas and line
/// breaks inside quotes, CRLF, blank lines, a byte-order mark), cut into blocks of many sizes: every cell must come
/// back as written, every row once, in order.
/// </summary>
public sealed class CsvRowSourceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kiln-batch-csv").FullName;

    [Theory]
    [InlineData(1, 64)]
    [InlineData(2, 97)]
    [InlineData(3, 1024)]
    [InlineData(4, 1 << 20)]
    public async Task Read_GeneratedCsv_GivesEveryCellAsWrittenInOrder(int seed, int blockBytes)
    {
        var random = new Random(seed);
        var rows = Enumerable.Range(0, 400).Select(_ => Enumerable.Range(0, 4).Select(_ => RandomCell(random)).ToArray()).ToList();
        var path = Write(rows, random, bom: seed % 2 == 0, crlf: seed % 3 == 0);

        var read = await ReadAllAsync(path, blockBytes);

        Assert.Equal(rows.Count, read.Count);
        Assert.Equal(["c0", "c,1", "c2", "c3"], await HeaderAsync(InputFile.Resolve(path)[0]));
        for (var r = 0; r < rows.Count; r++)
        {
            Assert.Equal(rows[r], read[r].Cells);
            Assert.Equal(r, read[r].Row);
        }
    }

    [Fact]
    public async Task Read_FileWithoutFinalNewlineAndWithBlankLines_CountsOnlyRecords()
    {
        var path = Path.Combine(_directory, "plain.csv");
        await File.WriteAllTextAsync(path, "a,b,c,d\n\n1,2,3,4\r\n\r\n5,6,7,8\n\n9,10,11,12");

        var read = await ReadAllAsync(path, 8);

        Assert.Equal([["1", "2", "3", "4"], ["5", "6", "7", "8"], ["9", "10", "11", "12"]], read.Select(r => r.Cells));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(1 << 20)]
    public async Task Read_QuotesInsideUnquotedFieldsAndTextAfterClosingQuotes_ReadAsSpreadsheetsDo(int blockBytes)
    {
        var path = Path.Combine(_directory, "loose.csv");
        await File.WriteAllTextAsync(path, "a,b,c,d\n1,ab\"c,\"x\"\"y\"z,4\n5,6,\"multi\nline\",8\n9,q\"r,\"s\",12\n");

        var read = await ReadAllAsync(path, blockBytes);

        Assert.Equal([["1", "ab\"c", "x\"y", "4"], ["5", "6", "multi\nline", "8"], ["9", "q\"r", "s", "12"]], read.Select(r => r.Cells));
    }

    [Fact]
    public async Task Read_QuoteThatNeverCloses_IsInvalidNamingIt()
    {
        var path = Path.Combine(_directory, "open.csv");
        await File.WriteAllTextAsync(path, "a,b,c,d\n1,\"2,3,4\n5,6,7,8\n");

        var error = await Assert.ThrowsAsync<KilnException>(() => ReadAllAsync(path, 1 << 20));

        Assert.Contains("quoted field", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_EmptyFile_IsInvalidAskingForAHeader()
    {
        var path = Path.Combine(_directory, "empty.csv");
        await File.WriteAllTextAsync(path, "");

        var error = await Assert.ThrowsAsync<KilnException>(() => ReadAllAsync(path, 1 << 20));

        Assert.Contains("header row", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string RandomCell(Random random) => random.Next(8) switch
    {
        0 => "",
        1 => "with, comma",
        2 => "say \"hi\"",
        3 => "two\nlines",
        4 => "crlf\r\ninside",
        5 => "ünïcödé",
        _ => random.Next(-100000, 100000).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private string Write(List<string[]> rows, Random random, bool bom, bool crlf)
    {
        var text = new StringBuilder();
        var end = crlf ? "\r\n" : "\n";
        text.Append("c0,\"c,1\",c2,c3").Append(end);
        foreach (var row in rows)
        {
            if (random.Next(20) == 0)
            {
                text.Append(end);
            }

            text.Append(string.Join(',', row.Select(cell => Quote(cell, random)))).Append(end);
        }

        var path = Path.Combine(_directory, $"{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, text.ToString(), new UTF8Encoding(bom));
        return path;
    }

    private static string Quote(string cell, Random random) =>
        cell.IndexOfAny([',', '"', '\n', '\r']) >= 0 || random.Next(4) == 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;

    private static async Task<IReadOnlyList<string>> HeaderAsync(InputFile file)
    {
        await using var source = await CsvRowSource.OpenAsync(file, 1 << 20, CancellationToken.None);
        return file.Columns;
    }

    /// <summary>Reads a file the way a batch does (header, binding, blocks split on their own) and gathers every cell back as text.</summary>
    private static async Task<List<(long Row, string[] Cells)>> ReadAllAsync(string path, int blockBytes)
    {
        var file = InputFile.Resolve(path)[0];
        var result = new List<(long, string[])>();
        await using var source = await CsvRowSource.OpenAsync(file, blockBytes, CancellationToken.None);
        var layout = new InputLayout(new ModelSignature([], []));
        file.Binding = ColumnBinding.Bind(file, layout, file.Columns);
        long next = 0;
        while (await source.ReadAsync(next, CancellationToken.None) is { } chunk)
        {
            using (chunk)
            {
                chunk.Prepare();
                var all = Enumerable.Range(0, chunk.Rows).ToArray();
                var columns = Enumerable.Range(0, file.Columns.Count).Select(c => (string[])chunk.Gather(c, all)).ToArray();
                for (var r = 0; r < chunk.Rows; r++)
                {
                    Assert.Null(chunk.RecordProblem(r));
                    result.Add((chunk.FirstRow + r, columns.Select(c => c[r]).ToArray()));
                }

                next += chunk.Rows;
            }
        }

        return result;
    }
}
