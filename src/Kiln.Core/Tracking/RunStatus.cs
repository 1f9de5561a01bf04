using System.Text.Json.Serialization;

namespace Kiln.Core.Tracking;

/// <summary>The states of a run, named as MLflow names them.</summary>
public enum RunStatus
{
    /// <summary>Started and not yet ended.</summary>
    [JsonStringEnumMemberName("RUNNING")]
    Running,
    /// <summary>Created to run later.</summary>
    [JsonStringEnumMemberName("SCHEDULED")]
    Scheduled,
    /// <summary>Ended normally.</summary>
    [JsonStringEnumMemberName("FINISHED")]
    Finished,
    /// <summary>Ended with an error.</summary>
    [JsonStringEnumMemberName("FAILED")]
    Failed,
    /// <summary>Stopped from outside.</summary>
    [JsonStringEnumMemberName("KILLED")]
    Killed,
}
