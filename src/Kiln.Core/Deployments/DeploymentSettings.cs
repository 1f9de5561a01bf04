namespace Kiln.Core.Deployments;

/// <summary>How a deployment serves, apart from which variants it serves: kept with every revision and restored by a rollback.</summary>
/// <param name="LogSampleRate">The share of requests whose rows go to the prediction log, 0–1.</param>
/// <param name="RoutingField">The input field whose value routes a request when no <c>Kiln-Routing-Key</c> header is sent.</param>
/// <param name="Batching">Dynamic batching, or null when off.</param>
/// <param name="ReferenceRuntime">
/// Serve with the model format's own runtime (ONNX Runtime) even where Kiln's compiled tree engine covers the model.
/// </param>
public sealed record DeploymentSettings(double LogSampleRate, string? RoutingField, BatchingPolicy? Batching, bool ReferenceRuntime = false)
{
    /// <summary>A new deployment's settings: every request logged, no routing field, no batching, the compiled engine where it applies.</summary>
    public static DeploymentSettings Default { get; } = new(1.0, null, null);
}
