using Kiln.Monitoring.Sketches;

namespace Kiln.Monitoring.Statistics;

/// <summary>The distribution a <see cref="QuantileSketch"/> summarises.</summary>
internal sealed class SketchDistribution(QuantileSketch sketch) : NumericDistribution
{
    // The CDF is evaluated at the quantiles on this grid (and at the exact values when known).
    private const int GridPoints = 2001;

    private double[]? _points;

    public override long Count => sketch.Count;

    public override double PopulationStdDev => sketch.PopulationStdDev;

    public override int DistinctCount => sketch.DistinctCount ?? DistinctLimit + 1;

    public override double Cdf(double x) => sketch.Cdf(x);

    public override void Quantiles(ReadOnlySpan<double> probabilities, Span<double> destination) => sketch.Quantiles(probabilities, destination);

    internal override IReadOnlyList<(double Value, double Share)> ValueShares()
    {
        var exact = sketch.Exact;
        if (exact.Overflowed)
        {
            return SharesFromPercentiles(PercentileGrid(this, 101));
        }

        var shares = new List<(double Value, double Share)>(exact.Count);
        for (var i = 0; i < exact.Count; i++)
        {
            shares.Add((exact.ValueAt(i), (double)exact.CountAt(i) / sketch.Count));
        }

        return shares;
    }

    internal override ReadOnlySpan<double> CdfPoints()
    {
        if (_points is null)
        {
            var exact = sketch.Exact;
            if (exact.Overflowed)
            {
                _points = PercentileGrid(this, GridPoints);
            }
            else
            {
                _points = new double[exact.Count];
                for (var i = 0; i < exact.Count; i++)
                {
                    _points[i] = exact.ValueAt(i);
                }
            }
        }

        return _points;
    }
}
