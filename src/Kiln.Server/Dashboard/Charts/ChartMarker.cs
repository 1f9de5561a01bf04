namespace Kiln.Server.Dashboard.Charts;

/// <summary>An event drawn as a vertical line on a time chart (x in Unix ms), with its label as tooltip.</summary>
public sealed record ChartMarker(double X, string Label);
