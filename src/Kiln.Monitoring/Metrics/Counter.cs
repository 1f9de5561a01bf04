namespace Kiln.Monitoring.Metrics;

/// <summary>One counter series: a monotonically increasing integer, incremented lock-free.</summary>
public sealed class Counter
{
    private long _value;

    internal Counter()
    {
    }

    /// <summary>The current value.</summary>
    public long Value => Volatile.Read(ref _value);

    /// <summary>Adds one.</summary>
    public void Increment() => Interlocked.Increment(ref _value);

    /// <summary>Adds <paramref name="amount"/>, which must not be negative.</summary>
    public void Add(long amount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        Interlocked.Add(ref _value, amount);
    }
}
