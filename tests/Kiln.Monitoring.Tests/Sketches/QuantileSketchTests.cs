using Kiln.Monitoring.Sketches;
using Kiln.Monitoring.Tests.Statistics;

namespace Kiln.Monitoring.Tests.Sketches;

public sealed class QuantileSketchTests
{
    public static TheoryData<string> Distributions() => ["normal", "lognormal"];

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Quantile_HundredThousandValues_WithinRelativeAccuracy(string distribution)
    {
        var values = distribution == "normal" ? Samples.Normal(1, 100_000, 3, 2) : Samples.LogNormal(2, 100_000, 0, 1.5);
        var sketch = Build(values);
        var sorted = values.Order().ToArray();

        for (var q = 0.0; q <= 1.0; q += 0.001)
        {
            var exact = sorted[(int)Math.Floor(q * (sorted.Length - 1))];
            var estimate = sketch.Quantile(q);
            Assert.True(Math.Abs(estimate - exact) <= sketch.RelativeAccuracy * Math.Abs(exact) + 1e-12, $"q={q}: exact {exact}, sketch {estimate}");
        }

        Assert.Equal(sorted[0], sketch.Quantile(0));
        Assert.Equal(sorted[^1], sketch.Quantile(1));
    }

    [Fact]
    public void Moments_HundredThousandValues_MatchExact()
    {
        var values = Samples.Normal(5, 100_000, -1, 4);
        var sketch = Build(values);
        var mean = values.Average();
        var sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));

        Assert.Equal(values.Length, sketch.Count);
        Assert.Equal(mean, sketch.Mean, 10);
        Assert.Equal(sd, sketch.StdDev, 10);
        Assert.Equal(values.Min(), sketch.Min);
        Assert.Equal(values.Max(), sketch.Max);
    }

    [Fact]
    public void Cdf_HundredThousandNormalValues_WithinHalfAPercentOfEmpirical()
    {
        var values = Samples.Normal(6, 100_000);
        var sketch = Build(values);
        var sorted = values.Order().ToArray();

        for (var x = -3.0; x <= 3.0; x += 0.05)
        {
            var empirical = (double)sorted.Count(v => v <= x) / sorted.Length;
            Assert.InRange(sketch.Cdf(x) - empirical, -0.005, 0.005);
        }
    }

    [Fact]
    public void Merge_TwoHalves_EqualsSketchOfConcatenation()
    {
        var a = Samples.Normal(7, 30_000, 10, 3);
        var b = Samples.LogNormal(8, 20_000);
        var merged = Build(a);
        merged.Merge(Build(b));
        var whole = Build([.. a, .. b]);

        Assert.Equal(whole.Count, merged.Count);
        Assert.Equal(whole.Min, merged.Min);
        Assert.Equal(whole.Max, merged.Max);
        Assert.Equal(whole.Mean, merged.Mean, 10);
        Assert.Equal(whole.StdDev, merged.StdDev, 10);
        for (var q = 0.0; q <= 1.0; q += 0.01)
        {
            Assert.Equal(whole.Quantile(q), merged.Quantile(q));
        }

        for (var x = -5.0; x < 25; x += 0.5)
        {
            Assert.Equal(whole.Cdf(x), merged.Cdf(x), 12);
        }
    }

    [Fact]
    public void ToBytes_RoundTrip_PreservesEverything()
    {
        var sketch = Build([.. Samples.Normal(9, 5_000), 0.0, double.NaN, -1e-320]);

        var copy = QuantileSketch.FromBytes(sketch.ToBytes());

        Assert.Equal(sketch.ToBytes(), copy.ToBytes());
        Assert.Equal(sketch.Count, copy.Count);
        Assert.Equal(1, copy.Missing);
        Assert.Equal(sketch.Mean, copy.Mean);
        Assert.Equal(sketch.Quantile(0.37), copy.Quantile(0.37));
    }

    [Fact]
    public void FromBytes_UnknownVersion_ThrowsFormatException()
    {
        var bytes = Build([1.0, 2.0]).ToBytes();
        bytes[0] = 99;

        Assert.Throws<FormatException>(() => QuantileSketch.FromBytes(bytes));
        Assert.Throws<FormatException>(() => QuantileSketch.FromBytes(Build([1.0, 2.0]).ToBytes().AsSpan(0, 20)));
    }

    [Fact]
    public void Add_ValuesOverThreeHundredOrdersOfMagnitude_KeepsMemoryBoundedAndHighQuantilesAccurate()
    {
        var random = new Random(10);
        var values = new double[100_000];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Math.Pow(10, (random.NextDouble() * 400) - 200);
        }

        var sketch = Build(values);
        var sorted = values.Order().ToArray();

        // Two stores of at most 2048 eight-byte counts plus a fixed header. 2048 buckets at 1% span about 18 orders
        // of magnitude, so only the top ones (above the 96th percentile here) keep their accuracy.
        Assert.True(sketch.ToBytes().Length <= (2 * 2048 * 8) + 200, $"{sketch.ToBytes().Length} bytes");
        foreach (var q in new[] { 0.97, 0.99, 0.999 })
        {
            var exact = sorted[(int)Math.Floor(q * (sorted.Length - 1))];
            Assert.True(Math.Abs(sketch.Quantile(q) - exact) <= sketch.RelativeAccuracy * exact, $"q={q}");
        }
    }

    [Fact]
    public void Add_FewDistinctValues_AnswersExactly()
    {
        var sketch = Build([0, 1, 1, 2, 2, 2, 7.5, 7.5, 7.5, 7.5]);

        Assert.Equal(4, sketch.DistinctCount);
        Assert.Equal(2, sketch.Quantile(0.5));
        Assert.Equal(7.5, sketch.Quantile(0.9));
        Assert.Equal(0.6, sketch.Cdf(2), 12);
        Assert.Equal(0.3, sketch.Cdf(1.5), 12);
    }

    [Fact]
    public void Add_NaNAndInfinity_CountAsMissing()
    {
        var sketch = Build([1, double.NaN, double.PositiveInfinity, 3]);

        Assert.Equal(2, sketch.Count);
        Assert.Equal(2, sketch.Missing);
        Assert.Equal(2, sketch.Mean);
    }

    [Fact]
    public void Quantile_EmptySketch_IsNaN()
    {
        var sketch = new QuantileSketch();

        Assert.True(double.IsNaN(sketch.Quantile(0.5)));
        Assert.True(double.IsNaN(sketch.Cdf(0)));
    }

    internal static QuantileSketch Build(IEnumerable<double> values)
    {
        var sketch = new QuantileSketch();
        foreach (var value in values)
        {
            sketch.Add(value);
        }

        return sketch;
    }
}
