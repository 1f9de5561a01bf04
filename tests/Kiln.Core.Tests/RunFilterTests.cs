using Kiln.Core;
using Kiln.Core.Tracking;
using Kiln.Core.Tracking.Search;

namespace Kiln.Core.Tests;

public class RunFilterTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static Run MakeRun(string id, double? auc, string algorithm, RunStatus status = RunStatus.Finished, int minutes = 0) => new()
    {
        Id = id,
        ExperimentId = "1",
        Name = $"{algorithm}-{id}",
        Status = status,
        StartTime = Start.AddMinutes(minutes),
        ArtifactUri = "x",
        Params = new Dictionary<string, string> { ["algorithm"] = algorithm, ["learning rate"] = "0.1" },
        Metrics = auc is { } a ? new Dictionary<string, double> { ["auc"] = a } : new Dictionary<string, double>(),
        Tags = new Dictionary<string, string> { ["team"] = "risk" },
    };

    [Theory]
    [InlineData("metrics.auc > 0.8", "b,c")]
    [InlineData("metrics.auc >= 0.85 AND params.algorithm = 'lightgbm'", "c")]
    [InlineData("params.algorithm != 'logreg'", "b,c,d")]
    [InlineData("params.`learning rate` = '0.1' and tags.team = \"risk\"", "a,b,c,d")]
    [InlineData("attributes.status = 'FAILED'", "d")]
    [InlineData("attributes.run_name LIKE 'light%'", "c,d")]
    [InlineData("attributes.run_name ILIKE 'LIGHT%'", "c,d")]
    [InlineData("metrics.auc = 0.7", "a")]
    [InlineData("attributes.start_time > 1767225600000", "b,c,d")]
    [InlineData("", "a,b,c,d")]
    public void Matches_KeepsExactlyTheRunsTheFilterDescribes(string filter, string expected)
    {
        Run[] runs = [MakeRun("a", 0.7, "logreg"), MakeRun("b", 0.82, "fasttree", minutes: 1), MakeRun("c", 0.9, "lightgbm", minutes: 2), MakeRun("d", null, "lightgbm", RunStatus.Failed, 3)];

        var parsed = RunFilter.Parse(filter);

        Assert.Equal(expected.Split(','), runs.Where(parsed.Matches).Select(r => r.Id));
    }

    [Theory]
    [InlineData("metrics.auc > 'high'")]
    [InlineData("params.algorithm > 3")]
    [InlineData("metrics.auc >")]
    [InlineData("foo.auc > 1")]
    [InlineData("metrics.auc > 1 or metrics.auc < 0")]
    [InlineData("attributes.color = 'red'")]
    [InlineData("params.algorithm = 'unclosed")]
    public void Parse_Malformed_ThrowsNamingFilter(string filter)
    {
        var error = Assert.Throws<KilnException>(() => RunFilter.Parse(filter));

        Assert.Equal("filter", error.Field);
    }

    [Fact]
    public void Ordering_ByMetricDescending_PutsRunsWithoutItLast()
    {
        Run[] runs = [MakeRun("a", 0.7, "logreg"), MakeRun("d", null, "x"), MakeRun("c", 0.9, "lightgbm"), MakeRun("b", 0.82, "fasttree")];

        var ordered = runs.Order(RunOrdering.Parse(["metrics.auc DESC"])).Select(r => r.Id);

        Assert.Equal(["c", "b", "a", "d"], ordered);
    }

    [Fact]
    public void Ordering_Default_IsNewestFirst()
    {
        Run[] runs = [MakeRun("a", 1, "x", minutes: 1), MakeRun("b", 1, "x", minutes: 3), MakeRun("c", 1, "x", minutes: 2)];

        Assert.Equal(["b", "c", "a"], runs.Order(RunOrdering.Parse(null)).Select(r => r.Id));
    }

    [Fact]
    public void Ordering_Malformed_ThrowsNamingOrderBy()
    {
        Assert.Equal("orderBy", Assert.Throws<KilnException>(() => RunOrdering.Parse(["metrics.auc SIDEWAYS"])).Field);
    }
}
