namespace Kiln.Core.Deployments;

/// <summary>What a deploy changes of a deployment's settings; every null field keeps its current value.</summary>
/// <param name="LogSampleRate">The new share of requests logged, 0–1.</param>
/// <param name="RoutingField">The new routing field.</param>
/// <param name="Batching">The new batching policy; a <c>MaxBatchRows</c> of 0 turns batching off.</param>
/// <param name="ReferenceRuntime">True to serve with the model format's own runtime, false to allow the compiled tree engine again.</param>
public sealed record DeploymentSettingsChange(double? LogSampleRate = null, string? RoutingField = null, BatchingPolicy? Batching = null, bool? ReferenceRuntime = null)
{
    /// <summary>Nothing changes.</summary>
    public static DeploymentSettingsChange None { get; } = new();

    /// <summary>The settings after this change, checked (a bad field is named in a 400).</summary>
    public DeploymentSettings ApplyTo(DeploymentSettings current)
    {
        if (LogSampleRate is { } rate && !(rate is >= 0 and <= 1))
        {
            throw KilnException.Invalid("logSampleRate", $"must be between 0 and 1; got {rate}.");
        }

        return new DeploymentSettings(
            LogSampleRate ?? current.LogSampleRate,
            RoutingField ?? current.RoutingField,
            Batching is { } batching ? BatchingPolicy.Validate(batching, "batching") : current.Batching,
            ReferenceRuntime ?? current.ReferenceRuntime);
    }
}
