using Kiln.Core.Packaging;

namespace Kiln.Monitoring.Sketches;

/// <summary>Turns a <see cref="QuantileSketch"/> into the <see cref="NumericProfile"/> of a reference profile.</summary>
internal static class NumericProfiles
{
    public static NumericProfile? From(QuantileSketch sketch, int bins)
    {
        if (sketch.Count == 0)
        {
            return null;
        }

        Span<double> probabilities = stackalloc double[101];
        for (var i = 0; i <= 100; i++)
        {
            probabilities[i] = i / 100.0;
        }

        var quantiles = new double[101];
        sketch.Quantiles(probabilities, quantiles);

        var low = sketch.Min;
        var high = sketch.Max;
        if (!(high > low))
        {
            // One value: bins of width 1 centred on it, as the training-time profiler does.
            low -= bins / 2.0;
            high = low + bins;
        }

        var edges = new double[bins + 1];
        var width = (high - low) / bins;
        for (var b = 0; b < bins; b++)
        {
            edges[b] = low + (b * width);
        }

        edges[bins] = high;
        var counts = new long[bins];
        long previous = 0;
        for (var b = 0; b < bins; b++)
        {
            // Cumulative rounding keeps the counts whole and summing to the sketch's count.
            var cumulative = b == bins - 1 ? sketch.Count : (long)Math.Round(sketch.Cdf(edges[b + 1]) * sketch.Count);
            cumulative = Math.Max(cumulative, previous);
            counts[b] = cumulative - previous;
            previous = cumulative;
        }

        return new NumericProfile(sketch.Min, sketch.Max, sketch.Mean, sketch.StdDev, quantiles, edges, counts);
    }
}
