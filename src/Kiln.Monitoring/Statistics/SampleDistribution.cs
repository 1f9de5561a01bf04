namespace Kiln.Monitoring.Statistics;

/// <summary>The exact distribution of raw values, kept sorted.</summary>
internal sealed class SampleDistribution : NumericDistribution
{
    private readonly double[] _sorted;
    private double[]? _distinct;

    public SampleDistribution(ReadOnlySpan<double> values)
    {
        var sorted = new double[values.Length];
        var count = 0;
        double sum = 0;
        foreach (var value in values)
        {
            if (double.IsFinite(value))
            {
                sorted[count++] = value;
                sum += value;
            }
        }

        Array.Resize(ref sorted, count);
        Array.Sort(sorted);
        _sorted = sorted;
        var mean = count == 0 ? 0 : sum / count;
        double squares = 0;
        foreach (var value in sorted)
        {
            squares += (value - mean) * (value - mean);
        }

        PopulationStdDev = count == 0 ? 0 : Math.Sqrt(squares / count);
    }

    public override long Count => _sorted.Length;

    public override double PopulationStdDev { get; }

    public override int DistinctCount => Math.Min(Distinct.Length, DistinctLimit + 1);

    public ReadOnlySpan<double> Sorted => _sorted;

    private double[] Distinct => _distinct ??= MakeDistinct(_sorted);

    public override double Cdf(double x) => _sorted.Length == 0 ? double.NaN : (double)UpperBound(_sorted, x) / _sorted.Length;

    public override void Quantiles(ReadOnlySpan<double> probabilities, Span<double> destination)
    {
        for (var i = 0; i < probabilities.Length; i++)
        {
            destination[i] = LinearQuantile(_sorted, probabilities[i]);
        }
    }

    internal override IReadOnlyList<(double Value, double Share)> ValueShares()
    {
        var shares = new List<(double Value, double Share)>();
        var i = 0;
        while (i < _sorted.Length)
        {
            var start = i;
            while (i < _sorted.Length && _sorted[i] == _sorted[start])
            {
                i++;
            }

            shares.Add((_sorted[start], (double)(i - start) / _sorted.Length));
        }

        return shares;
    }

    internal override ReadOnlySpan<double> CdfPoints() => Distinct;

    /// <summary>numpy's default quantile: linear interpolation between the closest ranks.</summary>
    internal static double LinearQuantile(ReadOnlySpan<double> sorted, double q)
    {
        if (sorted.IsEmpty)
        {
            return double.NaN;
        }

        var position = q * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }

    /// <summary>How many sorted values are ≤ x.</summary>
    internal static int UpperBound(ReadOnlySpan<double> sorted, double x)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var mid = (int)((uint)(low + high) >> 1);
            if (sorted[mid] <= x)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    private static double[] MakeDistinct(double[] sorted)
    {
        var distinct = new List<double>();
        foreach (var value in sorted)
        {
            if (distinct.Count == 0 || distinct[^1] != value)
            {
                distinct.Add(value);
            }
        }

        return [.. distinct];
    }
}
