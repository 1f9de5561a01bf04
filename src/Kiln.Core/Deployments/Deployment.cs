using System.Text.Json.Serialization;

namespace Kiln.Core.Deployments;

/// <summary>A named endpoint serving one or more variants (model versions).</summary>
public sealed record Deployment
{
    /// <summary>The deployment's name: the model name in every inference protocol's URL.</summary>
    public required string Name { get; init; }

    /// <summary>The variants behind the endpoint: one or more primaries (A/B), at most one canary, any shadows.</summary>
    public required IReadOnlyList<DeploymentVariant> Variants { get; init; }

    /// <summary>When the deployment was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When its variants last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Incremented on every change; lets a reader tell whether what it serves is current.</summary>
    public int Revision { get; init; }

    /// <summary>The share of requests whose rows go to the prediction log, 0–1 (default 1: every request).</summary>
    public double LogSampleRate { get; init; } = 1.0;

    /// <summary>The input field whose value routes a request when no <c>Kiln-Routing-Key</c> header is sent (sticky routing).</summary>
    public string? RoutingField { get; init; }

    /// <summary>Dynamic batching, or null when off (the default).</summary>
    public BatchingPolicy? Batching { get; init; }

    /// <summary>Serve with the model format's own runtime (ONNX Runtime) even where the compiled tree engine covers the model.</summary>
    public bool ReferenceRuntime { get; init; }

    /// <summary>The sampling rate, routing field, batching and runtime choice together, as a change carries them.</summary>
    [JsonIgnore]
    public DeploymentSettings Settings => new(LogSampleRate, RoutingField, Batching, ReferenceRuntime);

    /// <summary>The canary rollout in progress, if any.</summary>
    public CanaryRollout? Canary { get; init; }

    /// <summary>The primary variant with the most traffic.</summary>
    [JsonIgnore]
    public DeploymentVariant Primary => Variants.Where(v => v.Role == VariantRole.Primary).MaxBy(v => v.Weight) ?? Variants[0];
}
