namespace Kiln.Monitoring.Metrics;

/// <summary>Lock-free addition to a double: there is no <c>Interlocked.Add</c> for floating point.</summary>
internal static class AtomicDouble
{
    public static void Add(ref double target, double amount)
    {
        var current = Volatile.Read(ref target);
        while (true)
        {
            var seen = Interlocked.CompareExchange(ref target, current + amount, current);
            // Compare bits, not values: NaN never equals itself and would spin forever.
            if (BitConverter.DoubleToInt64Bits(seen) == BitConverter.DoubleToInt64Bits(current))
            {
                return;
            }

            current = seen;
        }
    }
}
