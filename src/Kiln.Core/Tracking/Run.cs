using System.Text.Json.Serialization;

namespace Kiln.Core.Tracking;

/// <summary>One execution of training code: its params (write-once), metrics (latest values), tags, inputs and artifacts.</summary>
public sealed record Run
{
    /// <summary>The run's id: 32 lower-case hex characters.</summary>
    public required string Id { get; init; }

    /// <summary>The experiment it belongs to.</summary>
    public required string ExperimentId { get; init; }

    /// <summary>A name for people.</summary>
    public required string Name { get; init; }

    /// <summary>Running, finished, failed…</summary>
    public required RunStatus Status { get; init; }

    /// <summary>When it started.</summary>
    public required DateTimeOffset StartTime { get; init; }

    /// <summary>When it ended, if it did.</summary>
    public DateTimeOffset? EndTime { get; init; }

    /// <summary><c>active</c> or <c>deleted</c>.</summary>
    public string LifecycleStage { get; init; } = "active";

    /// <summary>Where its artifacts live.</summary>
    public required string ArtifactUri { get; init; }

    /// <summary>Parameters: written once each.</summary>
    public IReadOnlyDictionary<string, string> Params { get; init; } = new Dictionary<string, string>();

    /// <summary>The latest value of each metric (highest step, then latest timestamp).</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>The latest point of each metric, with its step and time (for MLflow's wire format; not part of Kiln's JSON).</summary>
    [JsonIgnore]
    public IReadOnlyList<MetricPoint> LatestMetricPoints { get; init; } = [];

    /// <summary>Mutable tags.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>The datasets the run read.</summary>
    public IReadOnlyList<DatasetInput> Inputs { get; init; } = [];
}
