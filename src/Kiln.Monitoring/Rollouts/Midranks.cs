namespace Kiln.Monitoring.Rollouts;

/// <summary>1-based ranks with ties given their average rank (scipy.stats.rankdata's "average").</summary>
internal static class Midranks
{
    public static void Compute(ReadOnlySpan<double> values, Span<double> ranks)
    {
        var n = values.Length;
        var order = new int[n];
        var sorted = values.ToArray();
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }

        sorted.AsSpan().Sort(order.AsSpan());
        var start = 0;
        while (start < n)
        {
            var end = start + 1;
            while (end < n && sorted[end] == sorted[start])
            {
                end++;
            }

            // Positions start..end-1 (0-based) share the mean of ranks start+1..end.
            var rank = (start + end + 1) / 2.0;
            for (var k = start; k < end; k++)
            {
                ranks[order[k]] = rank;
            }

            start = end;
        }
    }
}
