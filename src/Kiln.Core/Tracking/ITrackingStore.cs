namespace Kiln.Core.Tracking;

/// <summary>The durable store of experiments, runs, their params, metric series, tags, inputs and artifacts.</summary>
public interface ITrackingStore
{
    /// <summary>Creates an experiment; a name already taken is a conflict.</summary>
    Task<Experiment> CreateExperimentAsync(string name, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken);

    /// <summary>Gets an experiment by id, or null.</summary>
    Task<Experiment?> GetExperimentAsync(string id, CancellationToken cancellationToken);

    /// <summary>Gets an experiment by name, or null.</summary>
    Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken);

    /// <summary>Lists experiments by name.</summary>
    Task<IReadOnlyList<Experiment>> ListExperimentsAsync(CancellationToken cancellationToken);

    /// <summary>Renames an experiment; a name already taken is a conflict.</summary>
    Task<Experiment> RenameExperimentAsync(string id, string newName, CancellationToken cancellationToken);

    /// <summary>Marks an experiment <c>deleted</c> or <c>active</c> again (MLflow's soft delete and restore).</summary>
    Task<Experiment> SetExperimentLifecycleAsync(string id, bool deleted, CancellationToken cancellationToken);

    /// <summary>Sets (or overwrites) one tag of an experiment.</summary>
    Task SetExperimentTagAsync(string id, string key, string value, CancellationToken cancellationToken);

    /// <summary>Starts a run in an experiment.</summary>
    Task<Run> CreateRunAsync(string experimentId, string? name, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken);

    /// <summary>Gets a run, or null.</summary>
    Task<Run?> GetRunAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Changes a run's status (ending it sets the end time) or name.</summary>
    Task<Run> UpdateRunAsync(string runId, RunStatus? status, string? name, CancellationToken cancellationToken);

    /// <summary>Marks a run <c>deleted</c> or <c>active</c> again (MLflow's soft delete and restore).</summary>
    Task SetRunLifecycleAsync(string runId, bool deleted, CancellationToken cancellationToken);

    /// <summary>Removes a tag from a run; a tag that is not set is a not-found error.</summary>
    Task DeleteRunTagAsync(string runId, string key, CancellationToken cancellationToken);

    /// <summary>Appends metric points and sets params and tags, in one transaction.</summary>
    Task LogAsync(string runId, RunLog log, CancellationToken cancellationToken);

    /// <summary>Records datasets the run read.</summary>
    Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> inputs, CancellationToken cancellationToken);

    /// <summary>A metric's full series, by step then time.</summary>
    Task<IReadOnlyList<MetricPoint>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken);

    /// <summary>Searches runs with a filter, ordering and paging.</summary>
    Task<RunPage> SearchRunsAsync(RunQuery query, CancellationToken cancellationToken);

    /// <summary>Records (or replaces) an artifact file of a run.</summary>
    Task AddArtifactAsync(string runId, RunArtifact artifact, CancellationToken cancellationToken);

    /// <summary>Lists a run's artifact files.</summary>
    Task<IReadOnlyList<RunArtifact>> ListArtifactsAsync(string runId, CancellationToken cancellationToken);
}
