using System.Globalization;
using Kiln.Core;
using Kiln.Core.Batch;
using Kiln.Inference.Runtime;
using Parquet;

namespace Kiln.Batch.Tests;

/// <summary>
/// Whole batches through the real GradientBoosting model: files cut into many blocks scored on several threads must
/// come out in input order with the model's own scores, bad rows named by number and column, and the same scores
/// whichever format goes in or out.
/// </summary>
public sealed class BatchScorerTests : IDisposable
{
    private const string Header = "request_id,row,model_version,id,job,output_label,output_probability_0,output_probability_1";
    private readonly string _directory = Directory.CreateTempSubdirectory("kiln-batch").FullName;
    private readonly IModelRuntime _model = GbtModel.Load();

    [Fact]
    public async Task Run_CsvInManyBlocksOnSeveralThreads_WritesEveryRowInOrderWithTheModelsScores()
    {
        var rows = BankRows.Features(3000, seed: 1);
        var input = Write("bank.csv", BankRows.Csv(rows));
        var output = Path.Combine(_directory, "out", "scored.csv");

        var summary = await RunAsync(new BatchRequest(input, output, KeepColumns: ["id", "job"], BatchId: "b1", Workers: 3) { BlockBytes = 2048 });

        Assert.Equal((3000L, 3000L, 0L), (summary.Rows, summary.Scored, summary.BadRows));
        Assert.Equal(Header.Split(','), summary.Columns);
        var lines = BankRows.ReadCsv(output);
        Assert.Equal(Header.Split(','), lines[0]);
        var expected = GbtModel.Probabilities(_model, rows);
        var reference = GbtModel.Probabilities(_model.ReferenceRuntime, rows);
        for (var r = 0; r < rows.Count; r++)
        {
            var line = lines[r + 1];
            Assert.Equal(["b1", r.ToString(CultureInfo.InvariantCulture), "7", $"id-{r}", BankRows.Job(r)], line[..5]);
            var probability = float.Parse(line[7], CultureInfo.InvariantCulture);
            Assert.Equal(expected[r], probability);
            Assert.Equal(reference[r], probability, 1e-6f);
            Assert.Equal(probability > 0.5f ? "1" : "0", line[5]);
        }

        Assert.False(File.Exists(output + ".partial"));
    }

    [Fact]
    public async Task Run_BadRowsSkipped_LeavesThemOutCountsThemAndNamesRowAndColumn()
    {
        var rows = BankRows.Features(500, seed: 2);
        var input = Write("bad.csv", BankRows.Csv(rows, r => r switch
        {
            5 => "id-5,forty,admin.,1,2,3,4,5,6",
            17 => "id-17,41,admin.,1,2",
            40 => "id-40,41,admin.,1,2,3,4,5,6,7",
            99 => "id-99,41,admin.,1,2,,4,5,6",
            _ => null,
        }));
        var output = Path.Combine(_directory, "skipped.csv");
        var badRowsFile = Path.Combine(_directory, "bad-rows.csv");

        var summary = await RunAsync(new BatchRequest(input, output, KeepColumns: ["id"], OnError: BadRowPolicy.Skip, BadRowsFile: badRowsFile) { BlockBytes = 1024 });

        Assert.Equal((500L, 497L, 3L), (summary.Rows, summary.Scored, summary.BadRows));
        Assert.Equal([5L, 17L, 40L], summary.FirstBadRows.Select(b => b.Row));
        Assert.Equal(["age", null, null], summary.FirstBadRows.Select(b => b.Column));
        Assert.Equal("expected a number, got text", summary.FirstBadRows[0].Problem);
        Assert.Equal("has 5 values but the header names 9 columns", summary.FirstBadRows[1].Problem);
        Assert.Equal("bad.csv", summary.FirstBadRows[0].File);
        var written = BankRows.ReadCsv(output).Skip(1).Select(l => long.Parse(l[1], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(0, 500).Where(r => r is not (5 or 17 or 40)).Select(r => (long)r), written);
        var listed = BankRows.ReadCsv(badRowsFile);
        Assert.Equal(["row", "file", "column", "problem"], listed[0]);
        Assert.Equal(["5", "bad.csv", "age", "expected a number, got text"], listed[1]);
        Assert.Equal(4, listed.Count);
    }

    [Fact]
    public async Task Run_BadRowUnderFail_StopsNamingRowAndColumnAndLeavesNoOutput()
    {
        var rows = BankRows.Features(300, seed: 3);
        var input = Write("fail.csv", BankRows.Csv(rows, r => r == 250 ? "id-250,41,admin.,lots,2,3,4,5,6" : null));
        var output = Path.Combine(_directory, "never.csv");

        var error = await Assert.ThrowsAsync<KilnException>(() => RunAsync(new BatchRequest(input, output) { BlockBytes = 1024 }));

        Assert.Contains("row 250 (fail.csv), column 'balance': expected a number, got text", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
        Assert.False(File.Exists(output + ".partial"));
    }

    [Fact]
    public async Task Run_CsvToParquetAndBack_KeepsTypesAndGivesTheSameScores()
    {
        var rows = BankRows.Features(2000, seed: 4);
        var input = Write("bank.csv", BankRows.Csv(rows));
        var parquet = Path.Combine(_directory, "features.parquet");
        var keep = new[] { "id", "job", "age", "balance", "day", "duration", "campaign", "pdays", "previous" };
        await RunAsync(new BatchRequest(input, parquet, KeepColumns: keep, BatchId: "first") { BlockBytes = 4096 });

        var back = Path.Combine(_directory, "back.csv");
        var summary = await RunAsync(new BatchRequest(parquet, back, KeepColumns: ["id", "job"], BatchId: "second"));

        Assert.Equal(2000, summary.Scored);
        var expected = GbtModel.Probabilities(_model, rows);
        var lines = BankRows.ReadCsv(back);
        Assert.Equal(expected, lines.Skip(1).Select(l => float.Parse(l[7], CultureInfo.InvariantCulture)));
        Assert.Equal(Enumerable.Range(0, 2000).Select(BankRows.Job), lines.Skip(1).Select(l => l[4]));

        await using var reader = await ParquetReader.CreateAsync(parquet);
        var fields = reader.Schema.GetDataFields().ToDictionary(f => f.Name);
        Assert.Equal(typeof(long), fields["row"].ClrType);
        Assert.Equal(typeof(int), fields["model_version"].ClrType);
        Assert.Equal(typeof(long), fields["output_label"].ClrType);
        Assert.Equal(typeof(float), fields["output_probability_1"].ClrType);
        Assert.Contains(fields["age"].ClrType, new[] { typeof(string), typeof(ReadOnlyMemory<char>) });
        var probabilities = new List<float>();
        foreach (var group in reader.RowGroups)
        {
            var values = new float[group.RowCount];
            await group.ReadAsync(fields["output_probability_1"], values.AsMemory());
            probabilities.AddRange(values);
        }

        Assert.Equal(expected, probabilities);
    }

    [Fact]
    public async Task Run_Folder_ScoresItsFilesInNameOrderNumberingRowsAcrossThem()
    {
        var folder = Path.Combine(_directory, "in");
        Directory.CreateDirectory(folder);
        var first = BankRows.Features(120, seed: 5);
        var second = BankRows.Features(80, seed: 6);
        File.WriteAllText(Path.Combine(folder, "a.csv"), BankRows.Csv(first));
        File.WriteAllText(Path.Combine(folder, "b.csv"), BankRows.Csv(second, r => r == 3 ? "x,1,2,3,4,5,6,7,nope" : null, firstId: 120));
        var output = Path.Combine(_directory, "folder.csv");

        var summary = await RunAsync(new BatchRequest(folder, output, KeepColumns: ["id"], OnError: BadRowPolicy.Skip) { BlockBytes = 512 });

        Assert.Equal(2, summary.Files.Count);
        Assert.Equal((200L, 1L), (summary.Rows, summary.BadRows));
        Assert.Equal(new BadRow(123, "b.csv", "previous", "expected a number, got text"), summary.FirstBadRows.Single());
        var lines = BankRows.ReadCsv(output).Skip(1).ToList();
        Assert.Equal(Enumerable.Range(0, 200).Where(r => r != 123).Select(r => $"id-{r}"), lines.Select(l => l[3]));
    }

    [Fact]
    public async Task Run_InputWithoutAColumnTheModelNeeds_IsInvalidNamingIt()
    {
        var input = Write("partial.csv", "age,balance,day\n1,2,3\n");

        var error = await Assert.ThrowsAsync<KilnException>(() => RunAsync(new BatchRequest(input, Path.Combine(_directory, "x.csv"))));

        Assert.Contains("no column 'duration', 'campaign', 'pdays', 'previous'", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _model.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Run_KeptColumnsNextToEachOther_AreWrittenAsTheInputHasThem()
    {
        var rows = BankRows.Features(400, seed: 5);
        var input = Write("runs.csv", BankRows.Csv(rows, r => r == 7 ? "id-7,41,\"admin.\"dropped,1,2,3,4,5,6" : null));
        var together = Path.Combine(_directory, "together.csv");
        var apart = Path.Combine(_directory, "apart.csv");

        await RunAsync(new BatchRequest(input, together, KeepColumns: ["id", "age", "job", "balance"], BatchId: "t") { BlockBytes = 1024 });
        await RunAsync(new BatchRequest(input, apart, KeepColumns: ["job", "id"], BatchId: "a") { BlockBytes = 1024 });

        var source = BankRows.ReadCsv(input);
        var kept = BankRows.ReadCsv(together);
        var reordered = BankRows.ReadCsv(apart);
        for (var r = 1; r < source.Count; r++)
        {
            if (r == 8)
            {
                continue; // row 7: this test's reader keeps the text after the closing quote; checked as text below
            }

            Assert.Equal(source[r][..4], kept[r][3..7]);
            Assert.Equal([source[r][2], source[r][0]], reordered[r][3..5]);
        }

        // A quoted cell with doubled quotes is copied as written; text after a closing quote is dropped, as when read.
        var lines = File.ReadAllLines(together);
        Assert.StartsWith("t,2,7,id-2,", lines[3], StringComparison.Ordinal);
        Assert.Contains(",\"say \"\"hi\"\"\",", lines[3], StringComparison.Ordinal);
        Assert.StartsWith("t,7,7,id-7,41,\"admin.\",1,", lines[8], StringComparison.Ordinal);
    }

    private Task<BatchSummary> RunAsync(BatchRequest request) =>
        BatchScorer.RunAsync(_model, "gbt", 7, request, null, CancellationToken.None);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
