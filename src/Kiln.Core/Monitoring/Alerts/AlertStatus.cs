using System.Text.Json.Serialization;

namespace Kiln.Core.Monitoring.Alerts;

/// <summary>Where one (rule, deployment) pair stands: inactive → pending → firing → resolved.</summary>
public enum AlertStatus
{
    /// <summary>The condition is false.</summary>
    [JsonStringEnumMemberName("inactive")]
    Inactive,

    /// <summary>The condition is true, but not yet for the rule's <c>for</c> duration.</summary>
    [JsonStringEnumMemberName("pending")]
    Pending,

    /// <summary>The condition has held for the rule's <c>for</c> duration; notifications were sent.</summary>
    [JsonStringEnumMemberName("firing")]
    Firing,

    /// <summary>The alert fired and its condition is false again.</summary>
    [JsonStringEnumMemberName("resolved")]
    Resolved,

    /// <summary>There is nothing to judge (no traffic, no labels, no signal source): never fires, and resolves a firing alert.</summary>
    [JsonStringEnumMemberName("no_data")]
    NoData,
}
