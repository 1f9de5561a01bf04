using Kiln.Monitoring.Statistics;

namespace Kiln.Monitoring.Tests.Statistics;

public sealed class RegressionMetricsTests
{
    public static TheoryData<string> Cases() => [.. Fixture.Cases("regression.json", "cases").Select(c => c.Name())];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compute_FixtureCase_MatchesScikitLearn(string name)
    {
        var c = Fixture.Cases("regression.json", "cases").Single(e => e.Name() == name);

        var quality = RegressionMetrics.Compute(c.Doubles("actual"), c.Doubles("predicted"));

        Expect.Close(c.Number("mae"), quality.MeanAbsoluteError, what: "mae");
        Expect.Close(c.Number("rmse"), quality.RootMeanSquaredError, what: "rmse");
        Expect.Close(c.Number("r2"), quality.R2, what: "r2");
    }

    [Fact]
    public void Compute_PerfectConstantFit_HasR2One()
    {
        var quality = RegressionMetrics.Compute([2.0, 2.0], [2.0, 2.0]);

        Assert.Equal(1, quality.R2);
        Assert.Equal(0, quality.RootMeanSquaredError);
    }
}
