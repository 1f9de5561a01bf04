namespace Kiln.Pipelines.Execution;

/// <summary>How the engine paces itself (Kiln:Pipelines).</summary>
public sealed class PipelineEngineOptions
{
    /// <summary>How often a running run re-reads cancel requests and approvals.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the owner of a run says it is alive, at the least.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a silent owner keeps a run before another replica takes it over.</summary>
    public TimeSpan OwnerTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The most log lines kept per step attempt; later lines are counted, not stored.</summary>
    public int MaxLogLinesPerAttempt { get; set; } = 5000;
}
