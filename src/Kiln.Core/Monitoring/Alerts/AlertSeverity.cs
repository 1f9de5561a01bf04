using System.Text.Json.Serialization;

namespace Kiln.Core.Monitoring.Alerts;

/// <summary>How urgent an alert is; sent as the <c>severity</c> label.</summary>
public enum AlertSeverity
{
    /// <summary>Worth knowing; nobody needs to act now.</summary>
    [JsonStringEnumMemberName("info")]
    Info,

    /// <summary>Needs attention soon.</summary>
    [JsonStringEnumMemberName("warning")]
    Warning,

    /// <summary>Needs attention now.</summary>
    [JsonStringEnumMemberName("critical")]
    Critical,
}
