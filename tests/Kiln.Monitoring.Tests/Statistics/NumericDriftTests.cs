using Kiln.Core.Packaging;
using Kiln.Monitoring.Sketches;
using Kiln.Monitoring.Statistics;

namespace Kiln.Monitoring.Tests.Statistics;

public sealed class NumericDriftTests
{
    public static TheoryData<string> Cases() => [.. Fixture.Cases("numeric_drift.json", "cases").Select(c => c.Name())];

    [Theory]
    [MemberData(nameof(Cases))]
    public void KolmogorovSmirnov_RawSamples_MatchesScipy(string name)
    {
        var c = Case(name);

        var result = KolmogorovSmirnovTest.Test(c.Doubles("reference"), c.Doubles("current"));

        Expect.Close(c.Number("ksStatistic"), result.Statistic, what: "D");
        Expect.Close(c.Number("ksPValue"), result.PValue, what: "p (kstwobign)");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Wasserstein_RawSamples_MatchesScipy(string name)
    {
        var c = Case(name);

        Expect.Close(c.Number("wasserstein"), WassersteinDistance.Compute(c.Doubles("reference"), c.Doubles("current")), what: "W1");
        Expect.Close(c.Number("wassersteinNormed"), WassersteinDistance.ComputeNormed(c.Doubles("reference"), c.Doubles("current")), what: "W1 normed");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Psi_RawSamples_MatchesNumpy(string name)
    {
        var c = Case(name);

        Expect.Close(c.Number("psi"), PopulationStabilityIndex.Compute(c.Doubles("reference"), c.Doubles("current")), what: "PSI");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Tests_SketchesOfBothSides_StayCloseToExact(string name)
    {
        var c = Case(name);
        var reference = NumericDistribution.FromSketch(Sketch(c.Doubles("reference")));
        var current = NumericDistribution.FromSketch(Sketch(c.Doubles("current")));

        var ks = KolmogorovSmirnovTest.Test(reference, current);
        var wasserstein = WassersteinDistance.ComputeNormed(reference, current);

        var tolerance = KsTolerance(c);
        Assert.InRange(ks.Statistic - c.Number("ksStatistic"), -tolerance, tolerance);
        AssertWasserstein(c, wasserstein);
        if (reference.Count >= 200)
        {
            // On a few dozen values a decile bin holds a handful of them, and PSI swings with every one.
            Assert.InRange(PopulationStabilityIndex.Compute(reference, current) - c.Number("psi"), -0.02, 0.02);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Tests_ProfileAgainstSketch_StayCloseToExact(string name)
    {
        var c = Case(name);
        var raw = c.Doubles("reference");
        var reference = NumericDistribution.FromProfile(Profile(raw), raw.Length);
        var current = NumericDistribution.FromSketch(Sketch(c.Doubles("current")));

        var ks = KolmogorovSmirnovTest.Test(reference, current);
        var wasserstein = WassersteinDistance.ComputeNormed(reference, current);

        var tolerance = KsTolerance(c);
        Assert.InRange(ks.Statistic - c.Number("ksStatistic"), -tolerance, tolerance);
        AssertWasserstein(c, wasserstein);
    }

    [Fact]
    public void KolmogorovSmirnov_IdenticalSamples_HasZeroStatisticAndPValueOne()
    {
        double[] values = [1, 2, 2, 3, 5];

        var result = KolmogorovSmirnovTest.Test(values, values);

        Assert.Equal(0, result.Statistic);
        Assert.Equal(1, result.PValue);
    }

    [Fact]
    public void WassersteinNormed_ConstantReference_DividesByFloor()
    {
        var normed = WassersteinDistance.ComputeNormed([2.0, 2.0, 2.0], [2.5, 2.5]);

        Assert.Equal(0.5 / WassersteinDistance.MinNorm, normed, 9);
    }

    /// <summary>
    /// Sketches and profiles spread values evenly within a bucket or between percentiles, so they smooth the empirical
    /// CDF's steps: D is good to 0.01 plus one step (1 / smaller sample size).
    /// </summary>
    private static double KsTolerance(System.Text.Json.JsonElement c) =>
        0.01 + (1.0 / Math.Min(c.Doubles("reference").Length, c.Doubles("current").Length));

    /// <summary>
    /// Normed Wasserstein: within 2% plus 0.01 (a hundredth of a reference standard deviation) from 200 values up;
    /// below that the interpolated quantile function of a few dozen values is good to 5% plus 0.05.
    /// </summary>
    private static void AssertWasserstein(System.Text.Json.JsonElement c, double approximate)
    {
        var exact = c.Number("wassersteinNormed");
        var small = c.Doubles("reference").Length < 200;
        var tolerance = small ? (0.05 * exact) + 0.05 : (0.02 * exact) + 0.01;
        Assert.True(Math.Abs(exact - approximate) <= tolerance, $"exact {exact}, approximate {approximate}");
    }

    private static System.Text.Json.JsonElement Case(string name) => Fixture.Cases("numeric_drift.json", "cases").Single(e => e.Name() == name);

    private static QuantileSketch Sketch(double[] values)
    {
        var sketch = new QuantileSketch();
        foreach (var value in values)
        {
            sketch.Add(value);
        }

        return sketch;
    }

    /// <summary>A profile as the training-time profiler makes it: numpy-linear percentiles of the raw values.</summary>
    internal static NumericProfile Profile(double[] values)
    {
        var distribution = NumericDistribution.FromValues(values);
        var probabilities = Enumerable.Range(0, 101).Select(i => i / 100.0).ToArray();
        var quantiles = new double[101];
        distribution.Quantiles(probabilities, quantiles);
        var mean = values.Average();
        var sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
        return new NumericProfile(quantiles[0], quantiles[100], mean, sd, quantiles, [quantiles[0], quantiles[100]], [values.Length]);
    }
}
