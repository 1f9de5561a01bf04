namespace Kiln.Monitoring.Sketches;

public sealed partial class QuantileSketch
{
    /// <summary>
    /// The <paramref name="q"/>-quantile: the value of rank q·(n − 1) among the sorted values, within the
    /// relative accuracy; exact (the lower of two neighbours) while the column has at most 16 distinct values.
    /// </summary>
    /// <param name="q">A probability in [0, 1].</param>
    /// <returns>The quantile, or NaN when the sketch is empty.</returns>
    public double Quantile(double q)
    {
        Span<double> result = stackalloc double[1];
        Quantiles([q], result);
        return result[0];
    }

    /// <summary>Several quantiles in one pass over the buckets.</summary>
    /// <param name="probabilities">Probabilities in [0, 1], in ascending order.</param>
    /// <param name="destination">Receives one quantile per probability.</param>
    public void Quantiles(ReadOnlySpan<double> probabilities, Span<double> destination)
    {
        if (destination.Length < probabilities.Length)
        {
            throw new ArgumentException("The destination is shorter than the probabilities.", nameof(destination));
        }

        for (var i = 0; i < probabilities.Length; i++)
        {
            if (!(probabilities[i] >= 0 && probabilities[i] <= 1) || (i > 0 && probabilities[i] < probabilities[i - 1]))
            {
                throw new ArgumentOutOfRangeException(nameof(probabilities), "Probabilities must be ascending and in [0, 1].");
            }
        }

        if (Count == 0)
        {
            destination[..probabilities.Length].Fill(double.NaN);
            return;
        }

        var cursor = new QuantileCursor(probabilities, destination, Count);
        if (!_exact.Overflowed)
        {
            for (var i = 0; i < _exact.Count && !cursor.Done; i++)
            {
                cursor.Visit(_exact.ValueAt(i), _exact.CountAt(i));
            }
        }
        else
        {
            for (var key = _negative.MaxKey; !_negative.IsEmpty && key >= _negative.MinKey && !cursor.Done; key--)
            {
                cursor.Visit(-ValueOf(key), _negative.CountAt(key));
            }

            cursor.Visit(0, _zero);
            for (var key = _positive.MinKey; !_positive.IsEmpty && key <= _positive.MaxKey && !cursor.Done; key++)
            {
                cursor.Visit(ValueOf(key), _positive.CountAt(key));
            }
        }

        cursor.Finish(Max);
        for (var i = 0; i < probabilities.Length; i++)
        {
            destination[i] = probabilities[i] == 0 ? Min : probabilities[i] == 1 ? Max : Math.Clamp(destination[i], Min, Max);
        }
    }

    /// <summary>
    /// The share of values less than or equal to <paramref name="x"/>; within a bucket the values are
    /// taken as spread evenly (exact while the column has at most 16 distinct values).
    /// </summary>
    /// <param name="x">The point.</param>
    /// <returns>A share in [0, 1], or NaN when the sketch is empty.</returns>
    public double Cdf(double x)
    {
        if (Count == 0 || double.IsNaN(x))
        {
            return double.NaN;
        }

        if (x < Min)
        {
            return 0;
        }

        if (x >= Max)
        {
            return 1;
        }

        double below = 0;
        if (!_exact.Overflowed)
        {
            for (var i = 0; i < _exact.Count && _exact.ValueAt(i) <= x; i++)
            {
                below += _exact.CountAt(i);
            }

            return below / Count;
        }

        var inside = false;
        for (var key = _negative.MaxKey; !_negative.IsEmpty && key >= _negative.MinKey && !inside; key--)
        {
            inside = Accumulate(x, -UpperBound(key), -LowerBound(key), _negative.CountAt(key), ref below);
        }

        if (!inside && x >= 0)
        {
            below += _zero;
        }

        for (var key = _positive.MinKey; !_positive.IsEmpty && key <= _positive.MaxKey && !inside && x > 0; key++)
        {
            inside = Accumulate(x, LowerBound(key), UpperBound(key), _positive.CountAt(key), ref below);
        }

        return Math.Clamp(below / Count, 0, 1);
    }

    /// <summary>Adds the part of a bucket at or below x; true once x falls inside or before the bucket.</summary>
    private bool Accumulate(double x, double lower, double upper, long count, ref double below)
    {
        lower = Math.Max(lower, Min);
        upper = Math.Min(upper, Max);
        if (x >= upper)
        {
            below += count;
            return false;
        }

        if (x > lower)
        {
            below += count * (x - lower) / (upper - lower);
        }

        return true;
    }

    private ref struct QuantileCursor
    {
        private readonly ReadOnlySpan<double> _probabilities;
        private readonly Span<double> _destination;
        private readonly long _count;
        private int _next;
        private long _cumulative;

        public QuantileCursor(ReadOnlySpan<double> probabilities, Span<double> destination, long count)
        {
            _probabilities = probabilities;
            _destination = destination;
            _count = count;
        }

        public readonly bool Done => _next >= _probabilities.Length;

        public void Visit(double value, long count)
        {
            if (count == 0)
            {
                return;
            }

            _cumulative += count;
            // The value of rank ⌊q·(n − 1)⌋ lies in the first bucket whose cumulative count exceeds q·(n − 1).
            while (_next < _probabilities.Length && _probabilities[_next] * (_count - 1) < _cumulative)
            {
                _destination[_next++] = value;
            }
        }

        public void Finish(double max)
        {
            while (_next < _probabilities.Length)
            {
                _destination[_next++] = max;
            }
        }
    }
}
