using System.Text.Json.Serialization;

namespace Kiln.Core.Deployments;

/// <summary>The part a variant plays in a deployment.</summary>
public enum VariantRole
{
    /// <summary>Serves live traffic by weight.</summary>
    [JsonStringEnumMemberName("primary")]
    Primary,
    /// <summary>Serves a growing share of traffic under analysis.</summary>
    [JsonStringEnumMemberName("canary")]
    Canary,
    /// <summary>Receives a mirror of traffic; its answers are compared, never returned.</summary>
    [JsonStringEnumMemberName("shadow")]
    Shadow,
}
