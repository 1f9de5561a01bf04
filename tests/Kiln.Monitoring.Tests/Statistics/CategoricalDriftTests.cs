using Kiln.Monitoring.Sketches;
using Kiln.Monitoring.Statistics;

namespace Kiln.Monitoring.Tests.Statistics;

public sealed class CategoricalDriftTests
{
    public static TheoryData<string> Cases() => [.. Fixture.Cases("categorical_drift.json", "cases").Select(c => c.Name())];

    [Theory]
    [MemberData(nameof(Cases))]
    public void ChiSquare_RawValues_MatchesScipy(string name)
    {
        var (reference, current, c) = Load(name);

        var result = ChiSquareTest.Test(reference, current);

        Expect.Close(c.Number("chiSquareStatistic"), result.Statistic, what: "chi2");
        Expect.Close(c.Number("chiSquarePValue"), result.PValue, 1e-8, "p");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void JensenShannon_RawValues_MatchesScipy(string name)
    {
        var (reference, current, c) = Load(name);

        Expect.Close(c.Number("jensenShannon"), JensenShannonDistance.Compute(reference, current), what: "JS");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Psi_RawValues_MatchesNumpy(string name)
    {
        var (reference, current, c) = Load(name);

        Expect.Close(c.Number("psi"), PopulationStabilityIndex.Compute(reference, current), what: "PSI");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Tests_FrequencySketches_EqualRawValues(string name)
    {
        var (_, _, c) = Load(name);
        var reference = new FrequencySketch();
        var current = new FrequencySketch();
        foreach (var value in c.Strings("reference"))
        {
            reference.Add(value);
        }

        foreach (var value in c.Strings("current"))
        {
            current.Add(value);
        }

        var result = ChiSquareTest.Test(CategoryDistribution.FromProfile(reference.ToProfile()), CategoryDistribution.FromSketch(current));

        Expect.Close(c.Number("chiSquareStatistic"), result.Statistic, what: "chi2");
        Expect.Close(c.Number("jensenShannon"), JensenShannonDistance.Compute(CategoryDistribution.FromSketch(reference), CategoryDistribution.FromSketch(current)), what: "JS");
    }

    [Fact]
    public void ChiSquare_CategoryNewInCurrent_IsInfiniteWithPValueZero()
    {
        var reference = CategoryDistribution.FromValues(["a", "a", "b"]);
        var current = CategoryDistribution.FromValues(["a", "c"]);

        var result = ChiSquareTest.Test(reference, current);

        Assert.True(double.IsPositiveInfinity(result.Statistic));
        Assert.Equal(0, result.PValue);
    }

    [Fact]
    public void JensenShannon_DisjointCategories_IsSqrtLn2()
    {
        var distance = JensenShannonDistance.Compute(CategoryDistribution.FromValues(["a"]), CategoryDistribution.FromValues(["b"]));

        Assert.Equal(Math.Sqrt(Math.Log(2)), distance, 12);
    }

    private static (CategoryDistribution Reference, CategoryDistribution Current, System.Text.Json.JsonElement Case) Load(string name)
    {
        var c = Fixture.Cases("categorical_drift.json", "cases").Single(e => e.Name() == name);
        return (CategoryDistribution.FromValues(c.Strings("reference")), CategoryDistribution.FromValues(c.Strings("current")), c);
    }
}
