using Kiln.Monitoring.Statistics;

namespace Kiln.Monitoring.Tests.Statistics;

public sealed class SpecialFunctionsTests
{
    [Fact]
    public void ChiSquareSf_FixturePoints_MatchScipy()
    {
        foreach (var point in Fixture.Cases("special_functions.json", "chiSquareSf"))
        {
            var x = point.Number("x");
            var df = point.Number("df");
            Expect.Close(point.Number("sf"), SpecialFunctions.ChiSquareSf(x, df), 1e-10, $"chi2.sf({x}, {df})");
        }
    }

    [Fact]
    public void KolmogorovSf_FixturePoints_MatchScipy()
    {
        foreach (var point in Fixture.Cases("special_functions.json", "kolmogorovSf"))
        {
            var z = point.Number("z");
            Expect.Close(point.Number("sf"), SpecialFunctions.KolmogorovSf(z), 1e-10, $"kolmogorov({z})");
        }
    }

    [Fact]
    public void ChiSquareSf_InfiniteStatistic_IsZero()
    {
        Assert.Equal(0, SpecialFunctions.ChiSquareSf(double.PositiveInfinity, 3));
        Assert.Equal(1, SpecialFunctions.ChiSquareSf(0, 3));
    }
}
