using System.Text.Json.Serialization;

namespace Kiln.Core.Monitoring.Alerts;

/// <summary>Where a rule was defined.</summary>
public enum AlertRuleSource
{
    /// <summary>Created through the API or the CLI; stored in the database and editable.</summary>
    [JsonStringEnumMemberName("api")]
    Api,

    /// <summary>Read from the server's configuration (<c>Kiln:Monitoring:Alerts:Rules</c>) or the built-in default; read-only.</summary>
    [JsonStringEnumMemberName("config")]
    Config,
}
