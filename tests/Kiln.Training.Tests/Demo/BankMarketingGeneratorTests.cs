using Kiln.Training.Demo;
using Kiln.Training.Tests.Support;

namespace Kiln.Training.Tests.Demo;

public class BankMarketingGeneratorTests
{
    private static string Csv(int rows, int seed, double drift = 0)
    {
        using var writer = new StringWriter();
        BankMarketingGenerator.Write(writer, rows, seed, drift);
        return writer.ToString();
    }

    [Fact]
    public void Write_SameSeed_WritesTheSameRows()
    {
        Assert.Equal(Csv(2_000, 3), Csv(2_000, 3));
        Assert.NotEqual(Csv(2_000, 3), Csv(2_000, 4));
    }

    [Fact]
    public void Write_Header_IsTheBankFullColumnOrder()
    {
        var header = Csv(1, 0).Split('\n')[0];

        Assert.Equal("age,job,marital,education,default,balance,housing,loan,contact,day,month,duration,campaign,pdays,previous,poutcome,y", header);
    }

    [Fact]
    public void Generate_Categories_AreExactlyThoseOfTheRealData()
    {
        var rows = BankMarketingGenerator.Generate(20_000, seed: 1).ToArray();

        Assert.Equal(
            ["admin.", "blue-collar", "entrepreneur", "housemaid", "management", "retired", "self-employed", "services", "student", "technician", "unemployed", "unknown"],
            rows.Select(r => r.Job).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(["divorced", "married", "single"], rows.Select(r => r.Marital).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(["primary", "secondary", "tertiary", "unknown"], rows.Select(r => r.Education).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(["cellular", "telephone", "unknown"], rows.Select(r => r.Contact).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(["failure", "other", "success", "unknown"], rows.Select(r => r.Poutcome).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(12, rows.Select(r => r.Month).Distinct().Count());
        Assert.Equal(["no", "yes"], rows.Select(r => r.Default).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(["no", "yes"], rows.Select(r => r.Y).Distinct().Order(StringComparer.Ordinal));
        foreach (var (column, categories) in BankMarketingGenerator.Categories)
        {
            Assert.NotEmpty(categories);
            Assert.Contains(column, BankMarketingGenerator.Columns);
        }
    }

    [Fact]
    public void Generate_Labels_AreAboutTwelvePercentYes()
    {
        var rows = BankMarketingGenerator.Generate(50_000, seed: 1).ToArray();

        var yes = rows.Count(r => r.Y == "yes") / (double)rows.Length;

        Assert.InRange(yes, 0.10, 0.15);
    }

    [Fact]
    public void Generate_Values_StayInTheRealRanges()
    {
        var rows = BankMarketingGenerator.Generate(20_000, seed: 2).ToArray();

        Assert.All(rows, r =>
        {
            Assert.InRange(r.Age, 18, 95);
            Assert.InRange(r.Day, 1, 31);
            Assert.True(r.Duration >= 0);
            Assert.True(r.Campaign >= 1);
            Assert.True(r.Pdays == -1 || r.Pdays is >= 1 and <= 870);
            Assert.Equal(r.Pdays == -1, r.Previous == 0);
            Assert.Equal(r.Pdays == -1, r.Poutcome == "unknown");
        });
        Assert.InRange(rows.Average(r => r.Age), 39, 43);
    }

    [Fact]
    public void Generate_Drift_ShiftsAgeBalanceDurationAndContactMix()
    {
        var baseline = BankMarketingGenerator.Generate(20_000, seed: 1).ToArray();
        var drifted = BankMarketingGenerator.Generate(20_000, seed: 1, drift: 1).ToArray();

        Assert.InRange(drifted.Average(r => r.Age) - baseline.Average(r => r.Age), 6, 10);
        Assert.InRange(drifted.Average(r => (double)r.Balance) - baseline.Average(r => (double)r.Balance), 400, 600);
        Assert.InRange(drifted.Average(r => (double)r.Duration) / baseline.Average(r => (double)r.Duration), 1.8, 2.2);
        Assert.True(drifted.Count(r => r.Contact == "cellular") > baseline.Count(r => r.Contact == "cellular") * 1.1);
        Assert.True(drifted.Count(r => r.Job == "retired") > baseline.Count(r => r.Job == "retired") * 1.5);
    }

    [Fact]
    public void Generate_NegativeDrift_IsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BankMarketingGenerator.Generate(10, drift: -0.5));
    }

    [Fact]
    public void WriteFile_Rows_WritesHeaderAndOneLinePerRow()
    {
        using var directory = new TempDirectory();

        var path = BankMarketingGenerator.WriteFile(directory.File("nested/bank.csv"), 25_000, seed: 5);

        var lines = File.ReadAllLines(path);
        Assert.Equal(25_001, lines.Length);
        Assert.All(lines, line => Assert.Equal(16, line.Count(c => c == ',')));
    }
}
