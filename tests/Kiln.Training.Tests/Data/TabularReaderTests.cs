using Kiln.Core;
using Kiln.Training.Data;
using Kiln.Training.Tests.Support;
using Parquet;
using Parquet.Schema;

namespace Kiln.Training.Tests.Data;

public class TabularReaderTests
{
    [Fact]
    public async Task LoadAsync_Csv_InfersNumericAndCategoricalColumns()
    {
        using var directory = new TempDirectory();
        var path = directory.Write("data.csv", "age,job,score", "41,admin.,1.5", "35,student,-2e3", "50,admin.,0");

        var data = await TabularReader.LoadAsync(path);

        Assert.Equal(3, data.Rows);
        Assert.Equal(["age", "job", "score"], data.Columns.Select(c => c.Name));
        Assert.Equal(ColumnKind.Numeric, data.Columns[0].Kind);
        Assert.Equal([41.0, 35.0, 50.0], data.Columns[0].Numbers!);
        Assert.Equal(ColumnKind.Categorical, data.Columns[1].Kind);
        Assert.Equal<string?>(["admin.", "student", "admin."], data.Columns[1].Values!.AsEnumerable());
        Assert.Same(data.Columns[1].Values![0], data.Columns[1].Values![2]);
        Assert.Equal([1.5, -2000.0, 0.0], data.Columns[2].Numbers!);
    }

    [Fact]
    public async Task LoadAsync_MissingSpellings_AreCountedAsMissing()
    {
        using var directory = new TempDirectory();
        var path = directory.Write("data.csv", "x,c", "1,a", ",NA", "NA,null", "?,?", " null ,b", "4,");

        var data = await TabularReader.LoadAsync(path);

        var x = data.Columns[0];
        Assert.Equal(ColumnKind.Numeric, x.Kind);
        Assert.Equal(4, x.Missing);
        Assert.True(double.IsNaN(x.Numbers![1]));
        var c = data.Columns[1];
        Assert.Equal(ColumnKind.Categorical, c.Kind);
        Assert.Equal(4, c.Missing);
        Assert.Equal<string?>(["a", null, null, null, "b", null], c.Values!.AsEnumerable());
    }

    [Fact]
    public async Task LoadAsync_TextAfterManyNumbers_MakesTheColumnCategoricalWithTheOriginalText()
    {
        using var directory = new TempDirectory();
        var lines = new List<string> { "code,n" };
        lines.AddRange(Enumerable.Range(0, 5000).Select(i => $"{i:D3},{i}"));
        lines.Add("A12,5000");
        var path = directory.Write("data.csv", [.. lines]);

        var data = await TabularReader.LoadAsync(path);

        var code = data.Columns[0];
        Assert.Equal(ColumnKind.Categorical, code.Kind);
        Assert.Equal("000", code.Values![0]);
        Assert.Equal("007", code.Values![7]);
        Assert.Equal("A12", code.Values![5000]);
        Assert.Equal(ColumnKind.Numeric, data.Columns[1].Kind);
    }

    [Fact]
    public async Task LoadAsync_ExcludedColumns_AreNotLoaded()
    {
        using var directory = new TempDirectory();
        var path = directory.Write("data.csv", "a,b,c", "1,2,3");

        var data = await TabularReader.LoadAsync(path, ["b"]);

        Assert.Equal(["a", "c"], data.Columns.Select(c => c.Name));
    }

    [Fact]
    public async Task LoadAsync_ExcludingAnUnknownColumn_IsInvalidNamingIt()
    {
        using var directory = new TempDirectory();
        var path = directory.Write("data.csv", "a,b", "1,2");

        var error = await Assert.ThrowsAsync<KilnException>(() => TabularReader.LoadAsync(path, ["durration"]));

        Assert.Equal("excludeColumns", error.Field);
        Assert.Contains("'durration'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_ShortRows_HaveMissingValues()
    {
        using var directory = new TempDirectory();
        var path = directory.Write("data.csv", "a,b,c", "1,x,3", "2");

        var data = await TabularReader.LoadAsync(path);

        Assert.Equal(1, data.Columns[1].Missing);
        Assert.Equal(1, data.Columns[2].Missing);
    }

    [Fact]
    public async Task LoadAsync_MissingFile_IsInvalid()
    {
        var error = await Assert.ThrowsAsync<KilnException>(() => TabularReader.LoadAsync("/nonexistent/data.csv"));

        Assert.Equal("data", error.Field);
    }

    [Fact]
    public async Task LoadAsync_Parquet_ReadsTypedColumnsWithNulls()
    {
        using var directory = new TempDirectory();
        var path = directory.File("data.parquet");
        var age = new DataField<int?>("age");
        var balance = new DataField<double>("balance");
        var job = new DataField<string>("job");
        var digits = new DataField<string>("digits");
        var flag = new DataField<bool>("flag");
        await using (var stream = File.Create(path))
        {
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(age, balance, job, digits, flag), stream);
            using var group = writer.CreateRowGroup();
            await group.WriteAsync<int>(age, new int?[] { 41, null, 30 }.AsMemory());
            await group.WriteAsync<double>(balance, new[] { 1.5, 2.5, -3 }.AsMemory());
            await group.WriteAsync(job, new[] { "admin.", null!, "student" });
            await group.WriteAsync(digits, new[] { "1", "2", "NA" });
            await group.WriteAsync<bool>(flag, new[] { true, false, true }.AsMemory());
        }

        var data = await TabularReader.LoadAsync(path);

        Assert.Equal(3, data.Rows);
        Assert.Equal(ColumnKind.Numeric, data.Columns[0].Kind);
        Assert.Equal(1, data.Columns[0].Missing);
        Assert.Equal(30, data.Columns[0].Numbers![2]);
        Assert.Equal([1.5, 2.5, -3], data.Columns[1].Numbers!);
        Assert.Equal(ColumnKind.Categorical, data.Columns[2].Kind);
        Assert.Equal<string?>(["admin.", null, "student"], data.Columns[2].Values!.AsEnumerable());
        Assert.Equal(ColumnKind.Numeric, data.Columns[3].Kind);
        Assert.Equal(1, data.Columns[3].Missing);
        Assert.Equal<string?>(["true", "false", "true"], data.Columns[4].Values!.AsEnumerable());
    }
}
