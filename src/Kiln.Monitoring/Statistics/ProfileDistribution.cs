using Kiln.Core.Packaging;

namespace Kiln.Monitoring.Statistics;

/// <summary>
/// The distribution a reference <see cref="NumericProfile"/> describes: its quantile function interpolates
/// linearly between the 101 percentiles, and its CDF is the inverse of that.
/// </summary>
internal sealed class ProfileDistribution : NumericDistribution
{
    private readonly double[] _percentiles;
    private IReadOnlyList<(double Value, double Share)>? _shares;

    public ProfileDistribution(NumericProfile profile, long count)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (profile.Quantiles.Count != 101)
        {
            throw new ArgumentException("A numeric profile needs 101 percentiles.", nameof(profile));
        }

        _percentiles = [.. profile.Quantiles];
        Count = count;

        // Profiles store the sample standard deviation (n − 1); the tests use numpy's population one.
        PopulationStdDev = count > 1 ? profile.StdDev * Math.Sqrt((count - 1.0) / count) : 0;
    }

    public override long Count { get; }

    public override double PopulationStdDev { get; }

    public override int DistinctCount => Math.Min(Shares.Count, DistinctLimit + 1);

    private IReadOnlyList<(double Value, double Share)> Shares => _shares ??= SharesFromPercentiles(_percentiles);

    public override double Cdf(double x)
    {
        if (x < _percentiles[0])
        {
            return 0;
        }

        var above = SampleDistribution.UpperBound(_percentiles, x);
        if (above >= _percentiles.Length)
        {
            return 1;
        }

        var i = above - 1;
        var fraction = (x - _percentiles[i]) / (_percentiles[i + 1] - _percentiles[i]);
        return (i + fraction) / 100.0;
    }

    public override void Quantiles(ReadOnlySpan<double> probabilities, Span<double> destination)
    {
        for (var k = 0; k < probabilities.Length; k++)
        {
            var position = probabilities[k] * 100;
            var i = Math.Min((int)Math.Floor(position), 99);
            destination[k] = _percentiles[i] + ((position - i) * (_percentiles[i + 1] - _percentiles[i]));
        }
    }

    internal override IReadOnlyList<(double Value, double Share)> ValueShares() => Shares;

    internal override ReadOnlySpan<double> CdfPoints() => _percentiles;
}
