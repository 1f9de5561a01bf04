using System.Globalization;

namespace Kiln.Server.Dashboard.Charts;

/// <summary>A linear map from data to pixels with "nice" round ticks (1, 2 or 5 × a power of ten).</summary>
internal readonly record struct ChartScale(double Min, double Max, double PixelFrom, double PixelTo)
{
    public double Map(double value) =>
        Max == Min ? (PixelFrom + PixelTo) / 2 : PixelFrom + ((value - Min) / (Max - Min) * (PixelTo - PixelFrom));

    /// <summary>A scale over [min, max] widened to round ticks, about <paramref name="ticks"/> of them.</summary>
    public static (ChartScale Scale, double[] Ticks) Nice(double min, double max, double pixelFrom, double pixelTo, int ticks = 5)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max))
        {
            (min, max) = (0, 1);
        }

        if (max - min < 1e-12)
        {
            // A flat line: give it room above (and below, unless it sits on zero).
            var pad = Math.Abs(min) > 1e-12 ? Math.Abs(min) * 0.1 : 1;
            (min, max) = min == 0 ? (0, pad) : (min - pad, max + pad);
        }

        var step = NiceStep((max - min) / Math.Max(1, ticks));
        var first = Math.Floor(min / step) * step;
        var last = Math.Ceiling(max / step) * step;
        var values = new List<double>();
        for (var v = first; v <= last + (step / 2); v += step)
        {
            values.Add(Math.Abs(v) < step * 1e-9 ? 0 : v);
        }

        return (new ChartScale(first, last, pixelFrom, pixelTo), values.ToArray());
    }

    /// <summary>Evenly spaced ticks inside [min, max] without widening (for time axes).</summary>
    public static double[] Inside(double min, double max, double step)
    {
        if (step <= 0 || max <= min)
        {
            return [min];
        }

        var ticks = new List<double>();
        for (var v = Math.Ceiling(min / step) * step; v <= max; v += step)
        {
            ticks.Add(v);
        }

        return ticks.ToArray();
    }

    public static double NiceStep(double raw)
    {
        if (raw <= 0 || !double.IsFinite(raw))
        {
            return 1;
        }

        var power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var fraction = raw / power;
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
    }

    /// <summary>A short label for a number on an axis: 1.2k, 0.85, 3e-05.</summary>
    public static string Label(double value)
    {
        var magnitude = Math.Abs(value);
        return magnitude switch
        {
            0 => "0",
            >= 1e9 => (value / 1e9).ToString("0.#", CultureInfo.InvariantCulture) + "G",
            >= 1e6 => (value / 1e6).ToString("0.#", CultureInfo.InvariantCulture) + "M",
            >= 1e4 => (value / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + "k",
            >= 1 => value.ToString("0.##", CultureInfo.InvariantCulture),
            >= 1e-3 => value.ToString("0.####", CultureInfo.InvariantCulture),
            _ => value.ToString("0.#e0", CultureInfo.InvariantCulture),
        };
    }
}
