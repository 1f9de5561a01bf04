namespace Kiln.Monitoring.Metrics;

/// <summary>One gauge series: a value that goes up and down, updated lock-free.</summary>
public sealed class Gauge
{
    private double _value;

    internal Gauge()
    {
    }

    /// <summary>The current value.</summary>
    public double Value => Volatile.Read(ref _value);

    /// <summary>Sets the value.</summary>
    public void Set(double value) => Volatile.Write(ref _value, value);

    /// <summary>Adds one.</summary>
    public void Increment() => Add(1);

    /// <summary>Subtracts one.</summary>
    public void Decrement() => Add(-1);

    /// <summary>Adds <paramref name="amount"/> (negative to subtract).</summary>
    public void Add(double amount) => AtomicDouble.Add(ref _value, amount);
}
