namespace Kiln.Core.Monitoring.Alerts;

/// <summary>One reading of a rule's signal for a deployment.</summary>
/// <param name="Value">The value in the kind's unit; null means no data (never fires).</param>
/// <param name="Description">What was measured (e.g. <c>5xx rate 3.2% over 5m (12 of 375 requests)</c>), or why there is no data.</param>
public sealed record AlertSignal(double? Value, string Description)
{
    /// <summary>No data, with the reason for people.</summary>
    public static AlertSignal NoData(string reason) => new(null, "no data: " + reason);
}
