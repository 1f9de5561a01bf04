using System.Text.Json.Serialization;

namespace Kiln.Core.Monitoring.Alerts;

/// <summary>How a rule compares its signal's value with the threshold: the condition is true when <c>value OP threshold</c>.</summary>
public enum AlertComparison
{
    /// <summary>value &gt; threshold.</summary>
    [JsonStringEnumMemberName("gt")]
    GreaterThan,

    /// <summary>value ≥ threshold.</summary>
    [JsonStringEnumMemberName("ge")]
    GreaterOrEqual,

    /// <summary>value &lt; threshold.</summary>
    [JsonStringEnumMemberName("lt")]
    LessThan,

    /// <summary>value ≤ threshold.</summary>
    [JsonStringEnumMemberName("le")]
    LessOrEqual,
}
