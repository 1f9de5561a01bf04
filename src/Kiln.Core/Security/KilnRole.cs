using System.Text.Json.Serialization;

namespace Kiln.Core.Security;

/// <summary>Roles of API keys, in increasing power: each role may do all that the ones below it may.</summary>
public enum KilnRole
{
    /// <summary>Reads the registry, deployments and metadata.</summary>
    [JsonStringEnumMemberName("viewer")]
    Viewer = 0,
    /// <summary>Also sends inference requests.</summary>
    [JsonStringEnumMemberName("predictor")]
    Predictor = 1,
    /// <summary>Also registers models and changes deployments.</summary>
    [JsonStringEnumMemberName("deployer")]
    Deployer = 2,
    /// <summary>Also manages API keys.</summary>
    [JsonStringEnumMemberName("admin")]
    Admin = 3,
}
