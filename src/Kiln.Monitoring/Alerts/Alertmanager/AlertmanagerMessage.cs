using System.Text.Json.Serialization;

namespace Kiln.Monitoring.Alerts.Alertmanager;

/// <summary>
/// A webhook body in Alertmanager's format (version 4), so receivers written for Alertmanager
/// (chat bridges, incident tools) take Kiln's notifications as they are.
/// </summary>
public sealed record AlertmanagerMessage
{
    [JsonPropertyName("version")]
    public string Version { get; init; } = "4";

    [JsonPropertyName("groupKey")]
    public required string GroupKey { get; init; }

    [JsonPropertyName("truncatedAlerts")]
    public int TruncatedAlerts { get; init; }

    /// <summary><c>firing</c> when any alert in the message fires, else <c>resolved</c>.</summary>
    [JsonPropertyName("status")]
    public required string Status { get; init; }

    [JsonPropertyName("receiver")]
    public required string Receiver { get; init; }

    [JsonPropertyName("groupLabels")]
    public required IReadOnlyDictionary<string, string> GroupLabels { get; init; }

    [JsonPropertyName("commonLabels")]
    public required IReadOnlyDictionary<string, string> CommonLabels { get; init; }

    [JsonPropertyName("commonAnnotations")]
    public required IReadOnlyDictionary<string, string> CommonAnnotations { get; init; }

    [JsonPropertyName("externalURL")]
    public required string ExternalUrl { get; init; }

    [JsonPropertyName("alerts")]
    public required IReadOnlyList<AlertmanagerAlert> Alerts { get; init; }
}

/// <summary>One alert of an <see cref="AlertmanagerMessage"/>. Times are RFC 3339 in UTC; a firing alert ends at Go's zero time, as Alertmanager sends.</summary>
public sealed record AlertmanagerAlert
{
    [JsonPropertyName("status")]
    public required string Status { get; init; }

    [JsonPropertyName("labels")]
    public required IReadOnlyDictionary<string, string> Labels { get; init; }

    [JsonPropertyName("annotations")]
    public required IReadOnlyDictionary<string, string> Annotations { get; init; }

    [JsonPropertyName("startsAt")]
    public required string StartsAt { get; init; }

    [JsonPropertyName("endsAt")]
    public required string EndsAt { get; init; }

    [JsonPropertyName("generatorURL")]
    public required string GeneratorUrl { get; init; }

    [JsonPropertyName("fingerprint")]
    public required string Fingerprint { get; init; }
}
