namespace Kiln.Core.Tracking;

/// <summary>A named group of runs, as in MLflow: one per question being explored.</summary>
public sealed record Experiment
{
    /// <summary>The experiment's id (a number, as MLflow's ids are).</summary>
    public required string Id { get; init; }

    /// <summary>The unique name.</summary>
    public required string Name { get; init; }

    /// <summary>Where its runs' artifacts live.</summary>
    public required string ArtifactLocation { get; init; }

    /// <summary><c>active</c> or <c>deleted</c>.</summary>
    public string LifecycleStage { get; init; } = "active";

    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it or one of its runs last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Mutable tags.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
}
