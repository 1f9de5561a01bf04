using Kiln.Monitoring.Metrics;

namespace Kiln.Monitoring.Tests.Metrics;

public class HistogramTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]      // a value equal to a bound belongs to that bucket (le = less or equal)
    [InlineData(1.5, 1)]
    [InlineData(2, 1)]
    [InlineData(5, 2)]
    [InlineData(5.0001, 3)] // beyond the last bound: +Inf
    [InlineData(double.PositiveInfinity, 3)]
    public void BucketIndex_FindsFirstBoundNotExceeded(double value, int expected) =>
        Assert.Equal(expected, Histogram.BucketIndex([1, 2, 5], value));

    [Fact]
    public void Observe_WritesCumulativeBucketsSumAndCount()
    {
        var registry = new MetricsRegistry();
        var histogram = registry.CreateHistogram("latency_seconds", "Latency.", [0.1, 1]);

        histogram.Observe(0.05);
        histogram.Observe(0.1);
        histogram.Observe(0.5);
        histogram.Observe(7);

        Assert.Equal(4, histogram.Count);
        Assert.Equal(7.65, histogram.Sum, 10);
        Assert.Equal("""
            # HELP latency_seconds Latency.
            # TYPE latency_seconds histogram
            latency_seconds_bucket{le="0.1"} 2
            latency_seconds_bucket{le="1"} 3
            latency_seconds_bucket{le="+Inf"} 4
            latency_seconds_sum 7.65
            latency_seconds_count 4

            """.ReplaceLineEndings("\n"), registry.Scrape());
    }

    [Fact]
    public void Labelled_LeComesAfterFamilyLabels()
    {
        var registry = new MetricsRegistry();
        var family = registry.CreateHistogramFamily("size_bytes", "Size.", [10], "deployment");

        family.WithLabels("d\"1").Observe(3);

        Assert.Contains("size_bytes_bucket{deployment=\"d\\\"1\",le=\"10\"} 1\n", registry.Scrape(), StringComparison.Ordinal);
        Assert.Contains("size_bytes_count{deployment=\"d\\\"1\"} 1\n", registry.Scrape(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Observe_Concurrently_LosesNothing()
    {
        var registry = new MetricsRegistry();
        var histogram = registry.CreateHistogram("h_seconds", "H.", Buckets.LatencySeconds);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 100_000; i++)
            {
                histogram.Observe(0.001);
            }
        })));

        Assert.Equal(400_000, histogram.Count);
        Assert.Equal(400, histogram.Sum, 6);
    }

    [Theory]
    [InlineData(new double[] { 1, 1 })]
    [InlineData(new double[] { 2, 1 })]
    [InlineData(new double[] { 1, double.PositiveInfinity })]
    public void CreateHistogram_BadBuckets_Throws(double[] buckets) =>
        Assert.Throws<ArgumentException>(() => new MetricsRegistry().CreateHistogram("h", "H.", buckets));
}
