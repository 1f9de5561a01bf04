using Kiln.Core.Packaging;
using Kiln.Monitoring.Sketches;

namespace Kiln.Monitoring.Statistics;

/// <summary>
/// A numeric column's distribution as the drift tests see it: a CDF, a quantile function and a few
/// moments. Built from raw values (exact), from a <see cref="QuantileSketch"/> or from a reference
/// <see cref="NumericProfile"/> (its 101 percentiles, linearly interpolated).
/// </summary>
public abstract class NumericDistribution
{
    /// <summary>Above this many distinct values the distribution reports only "more".</summary>
    internal const int DistinctLimit = ExactValues.Capacity;

    private protected NumericDistribution()
    {
    }

    /// <summary>How many (non-missing) values the distribution holds.</summary>
    public abstract long Count { get; }

    /// <summary>The population standard deviation (n denominator, numpy's <c>np.std</c>).</summary>
    public abstract double PopulationStdDev { get; }

    /// <summary>
    /// How many distinct values the column has, counted up to 17 (17 means "more than 16"). Exact for raw values and
    /// for sketches of columns with at most 16 distinct values; for profiles and larger sketches it is estimated
    /// from the 101 percentiles (see <see cref="ValueShares"/>).
    /// </summary>
    public abstract int DistinctCount { get; }

    /// <summary>The share of values less than or equal to <paramref name="x"/>.</summary>
    /// <param name="x">The point.</param>
    /// <returns>A share in [0, 1].</returns>
    public abstract double Cdf(double x);

    /// <summary>Quantiles at ascending probabilities (numpy's linear interpolation for raw values).</summary>
    /// <param name="probabilities">Ascending probabilities in [0, 1].</param>
    /// <param name="destination">Receives one quantile per probability.</param>
    public abstract void Quantiles(ReadOnlySpan<double> probabilities, Span<double> destination);

    /// <summary>The distinct values and their shares, for treating a low-cardinality column as categorical.</summary>
    internal abstract IReadOnlyList<(double Value, double Share)> ValueShares();

    /// <summary>Points where the CDF may jump or bend; the KS statistic is the largest CDF gap over both sides' points.</summary>
    internal abstract ReadOnlySpan<double> CdfPoints();

    /// <summary>The exact distribution of raw values; NaN and infinities are dropped as missing.</summary>
    /// <param name="values">The values.</param>
    /// <returns>The distribution.</returns>
    public static NumericDistribution FromValues(ReadOnlySpan<double> values) => new SampleDistribution(values);

    /// <summary>The distribution a sketch summarises.</summary>
    /// <param name="sketch">The sketch.</param>
    /// <returns>The distribution.</returns>
    public static NumericDistribution FromSketch(QuantileSketch sketch) => new SketchDistribution(sketch ?? throw new ArgumentNullException(nameof(sketch)));

    /// <summary>The distribution a reference profile describes.</summary>
    /// <param name="profile">The numeric profile.</param>
    /// <param name="count">How many non-missing values were profiled (rows minus missing).</param>
    /// <returns>The distribution.</returns>
    public static NumericDistribution FromProfile(NumericProfile profile, long count) => new ProfileDistribution(profile, count);

    /// <summary>
    /// Distinct values from 101 percentiles (0th … 100th): each distinct percentile value counts, except a value met
    /// once strictly between two values each met at least twice — linear interpolation makes exactly such a point
    /// at the boundary between two tied values. A value's share is the fraction of kept percentiles equal to it.
    /// </summary>
    internal static List<(double Value, double Share)> SharesFromPercentiles(ReadOnlySpan<double> percentiles)
    {
        var groups = new List<(double Value, int Points)>();
        foreach (var value in percentiles)
        {
            if (groups.Count > 0 && groups[^1].Value == value)
            {
                groups[^1] = (value, groups[^1].Points + 1);
            }
            else
            {
                groups.Add((value, 1));
            }
        }

        var kept = new List<(double Value, double Share)>(groups.Count);
        var total = 0;
        for (var i = 0; i < groups.Count; i++)
        {
            var artefact = groups[i].Points == 1 && i > 0 && i < groups.Count - 1 && groups[i - 1].Points >= 2 && groups[i + 1].Points >= 2;
            if (!artefact)
            {
                kept.Add((groups[i].Value, groups[i].Points));
                total += groups[i].Points;
            }
        }

        for (var i = 0; i < kept.Count; i++)
        {
            kept[i] = (kept[i].Value, kept[i].Share / total);
        }

        return kept;
    }

    internal static double[] PercentileGrid(NumericDistribution distribution, int points)
    {
        var probabilities = new double[points];
        for (var i = 0; i < points; i++)
        {
            probabilities[i] = (double)i / (points - 1);
        }

        var values = new double[points];
        distribution.Quantiles(probabilities, values);
        return values;
    }
}
