namespace Kiln.Server.Dashboard.Charts;

/// <summary>One line of a chart: a name for the legend and its points (x ascending; a null y is a gap).</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<ChartPoint> Points);

/// <summary>A point of a line chart.</summary>
public readonly record struct ChartPoint(double X, double? Y);

/// <summary>How a chart labels its x axis.</summary>
public enum ChartAxis
{
    /// <summary>x is a Unix time in milliseconds; labels are UTC clock times (or dates over long ranges).</summary>
    Time,
    /// <summary>x is a plain number (a step).</summary>
    Number,
}
