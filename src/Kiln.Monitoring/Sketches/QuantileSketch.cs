namespace Kiln.Monitoring.Sketches;

/// <summary>
/// A mergeable quantile sketch of a numeric column (DDSketch): every quantile it returns is within a
/// relative error of <see cref="RelativeAccuracy"/> of an actual value of that rank, and its memory is
/// bounded by the bucket limit, whatever the count. It also keeps the exact count, mean, standard
/// deviation, minimum, maximum and missing count, and exact value counts while the column has at most
/// 16 distinct values (then quantiles and the CDF are exact).
/// </summary>
/// <remarks>NaN and infinite values are counted as missing.</remarks>
public sealed partial class QuantileSketch
{
    /// <summary>The default relative accuracy: 1%.</summary>
    public const double DefaultRelativeAccuracy = 0.01;

    /// <summary>The default limit on buckets per sign: 2048 (at 1% accuracy, about 17 orders of magnitude).</summary>
    public const int DefaultMaxBuckets = 2048;

    // Values closer to zero than this are counted as zero; keeps bucket keys in int range.
    private const double MinIndexable = 1e-300;

    private readonly double _gamma;
    private readonly double _logGamma;
    private readonly BucketStore _positive;
    private readonly BucketStore _negative;
    private readonly ExactValues _exact = new();
    private long _zero;
    private double _mean;
    private double _m2;

    /// <summary>Creates an empty sketch.</summary>
    /// <param name="relativeAccuracy">The relative accuracy of quantiles, in (0, 1).</param>
    /// <param name="maxBuckets">The most buckets kept per sign; the lowest are collapsed beyond it.</param>
    public QuantileSketch(double relativeAccuracy = DefaultRelativeAccuracy, int maxBuckets = DefaultMaxBuckets)
    {
        if (!(relativeAccuracy > 0 && relativeAccuracy < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(relativeAccuracy), relativeAccuracy, "Relative accuracy must be in (0, 1).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxBuckets, 16);
        RelativeAccuracy = relativeAccuracy;
        MaxBuckets = maxBuckets;
        _gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
        _logGamma = Math.Log(_gamma);
        _positive = new BucketStore(maxBuckets);
        _negative = new BucketStore(maxBuckets);
    }

    /// <summary>The relative accuracy of quantiles.</summary>
    public double RelativeAccuracy { get; }

    /// <summary>The most buckets kept per sign.</summary>
    public int MaxBuckets { get; }

    /// <summary>How many (non-missing) values were added.</summary>
    public long Count { get; private set; }

    /// <summary>How many missing (NaN or infinite) values were added.</summary>
    public long Missing { get; private set; }

    /// <summary>The smallest value, or NaN when empty.</summary>
    public double Min { get; private set; } = double.NaN;

    /// <summary>The largest value, or NaN when empty.</summary>
    public double Max { get; private set; } = double.NaN;

    /// <summary>The mean, or NaN when empty.</summary>
    public double Mean => Count == 0 ? double.NaN : _mean;

    /// <summary>The sum of the values.</summary>
    public double Sum => Count == 0 ? 0 : _mean * Count;

    /// <summary>The sample standard deviation (n − 1 denominator, as in <c>DataProfile</c>); 0 with fewer than two values.</summary>
    public double StdDev => Count > 1 ? Math.Sqrt(_m2 / (Count - 1)) : 0;

    /// <summary>The population standard deviation (n denominator, numpy's default).</summary>
    public double PopulationStdDev => Count > 0 ? Math.Sqrt(_m2 / Count) : 0;

    /// <summary>The number of distinct values when at most 16, otherwise null (more than 16).</summary>
    public int? DistinctCount => _exact.Overflowed ? null : _exact.Count;

    internal ExactValues Exact => _exact;

    /// <summary>Adds one value; NaN and infinities count as missing.</summary>
    /// <param name="value">The value.</param>
    public void Add(double value)
    {
        if (!double.IsFinite(value))
        {
            Missing++;
            return;
        }

        Count++;
        var delta = value - _mean;
        _mean += delta / Count;
        _m2 += delta * (value - _mean);
        if (Count == 1)
        {
            Min = Max = value;
        }
        else if (value < Min)
        {
            Min = value;
        }
        else if (value > Max)
        {
            Max = value;
        }

        _exact.Add(value, 1);
        if (value > MinIndexable)
        {
            _positive.Add(KeyOf(value), 1);
        }
        else if (value < -MinIndexable)
        {
            _negative.Add(KeyOf(-value), 1);
        }
        else
        {
            _zero++;
        }
    }

    /// <summary>Adds every value of <paramref name="other"/> to this sketch.</summary>
    /// <param name="other">A sketch with the same relative accuracy.</param>
    public void Merge(QuantileSketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.RelativeAccuracy != RelativeAccuracy)
        {
            throw new ArgumentException("Only sketches with the same relative accuracy can be merged.", nameof(other));
        }

        Missing += other.Missing;
        if (other.Count == 0)
        {
            return;
        }

        if (Count == 0)
        {
            Min = other.Min;
            Max = other.Max;
        }
        else
        {
            Min = Math.Min(Min, other.Min);
            Max = Math.Max(Max, other.Max);
        }

        // Chan et al.'s pairwise update of mean and sum of squared deviations.
        var total = Count + other.Count;
        var delta = other._mean - _mean;
        _m2 += other._m2 + (delta * delta * Count * other.Count / total);
        _mean += delta * other.Count / total;
        Count = total;
        _zero += other._zero;
        _positive.Merge(other._positive);
        _negative.Merge(other._negative);
        _exact.Merge(other._exact);
    }

    private int KeyOf(double magnitude) => (int)Math.Ceiling(Math.Log(magnitude) / _logGamma);

    private double LowerBound(int key) => Math.Pow(_gamma, key - 1);

    private double UpperBound(int key) => Math.Pow(_gamma, key);

    /// <summary>The value of a bucket with relative error at most alpha to anything in it.</summary>
    private double ValueOf(int key) => 2 * Math.Pow(_gamma, key) / (1 + _gamma);
}
