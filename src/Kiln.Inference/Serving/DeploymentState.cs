namespace Kiln.Inference.Serving;

/// <summary>Where a deployment stands in this server: loading, serving, or failed to load (with why).</summary>
public sealed record DeploymentState(string Name, DeploymentStatus Status, string? Error = null);

/// <summary>The states of a deployment in a server.</summary>
public enum DeploymentStatus
{
    Loading,
    Ready,
    Failed,
}
