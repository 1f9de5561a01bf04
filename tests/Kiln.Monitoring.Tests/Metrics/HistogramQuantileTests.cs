using Kiln.Monitoring.Metrics;

namespace Kiln.Monitoring.Tests.Metrics;

public class HistogramQuantileTests
{
    private static readonly double[] Bounds = [1, 2, 4];

    [Fact]
    public void Estimate_NoObservations_IsNull() =>
        Assert.Null(HistogramQuantile.Estimate(Bounds, [0, 0, 0, 0], 0.5));

    [Fact]
    public void Estimate_InterpolatesInsideTheBucket()
    {
        // 10 in (0,1], 10 in (1,2]: the median is the top of the first bucket, p75 halfway through the second.
        long[] counts = [10, 10, 0, 0];

        Assert.Equal(1, HistogramQuantile.Estimate(Bounds, counts, 0.5)!.Value, 10);
        Assert.Equal(1.5, HistogramQuantile.Estimate(Bounds, counts, 0.75)!.Value, 10);
        Assert.Equal(0.5, HistogramQuantile.Estimate(Bounds, counts, 0.25)!.Value, 10);
    }

    [Fact]
    public void Estimate_RankInInfBucket_AnswersHighestBound() =>
        Assert.Equal(4, HistogramQuantile.Estimate(Bounds, [1, 0, 0, 99], 0.99));

    [Fact]
    public void Estimate_SkipsEmptyBuckets() =>
        Assert.Equal(3, HistogramQuantile.Estimate(Bounds, [0, 0, 2, 0], 0.5)!.Value, 10);
}
