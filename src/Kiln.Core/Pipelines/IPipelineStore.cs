namespace Kiln.Core.Pipelines;

/// <summary>
/// Pipelines, their versions, runs, steps and logs. Every state change of a run goes through a
/// conditional write on the run's owner, so two replicas never both advance one run.
/// </summary>
public interface IPipelineStore
{
    /// <summary>Stores <paramref name="source"/> as the next version of <paramref name="pipeline"/>, unless the latest version has the same digest; returns the latest version and whether it is new.</summary>
    Task<(PipelineVersionRecord Version, bool Created)> ApplyAsync(string pipeline, string source, string digest, string? description, string? createdBy, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>A version of a pipeline; the latest when <paramref name="version"/> is null.</summary>
    Task<PipelineVersionRecord?> GetVersionAsync(string pipeline, int? version, CancellationToken cancellationToken);

    /// <summary>The latest version of every pipeline, by name.</summary>
    Task<IReadOnlyList<PipelineVersionRecord>> ListLatestAsync(CancellationToken cancellationToken);

    /// <summary>Every version of a pipeline, newest first.</summary>
    Task<IReadOnlyList<PipelineVersionRecord>> ListVersionsAsync(string pipeline, CancellationToken cancellationToken);

    /// <summary>Deletes a pipeline, its versions, runs, steps and logs; false when there was none. Refused while a run of it is unfinished.</summary>
    Task<bool> DeleteAsync(string pipeline, CancellationToken cancellationToken);

    /// <summary>Creates a run with its steps; false (and nothing stored) when a run of the pipeline already has the same <see cref="PipelineRunRecord.TriggerKey"/>.</summary>
    Task<bool> CreateRunAsync(PipelineRunRecord run, IReadOnlyList<PipelineStepRecord> steps, CancellationToken cancellationToken);

    /// <summary>A run, or null.</summary>
    Task<PipelineRunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> run ids starting with <paramref name="prefix"/> (so people can type the first few characters).</summary>
    Task<IReadOnlyList<string>> FindRunIdsAsync(string prefix, int limit, CancellationToken cancellationToken);

    /// <summary>The steps of a run, in the pipeline file's order.</summary>
    Task<IReadOnlyList<PipelineStepRecord>> GetStepsAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Runs, newest first: of one pipeline or all, created before <paramref name="before"/> when given.</summary>
    Task<IReadOnlyList<PipelineRunRecord>> ListRunsAsync(string? pipeline, int limit, DateTimeOffset? before, CancellationToken cancellationToken);

    /// <summary>Unfinished runs that no live replica owns (no owner, or a heartbeat before <paramref name="staleBefore"/>), oldest first.</summary>
    Task<IReadOnlyList<PipelineRunRecord>> ListOrphanedRunsAsync(DateTimeOffset staleBefore, int limit, CancellationToken cancellationToken);

    /// <summary>Makes <paramref name="owner"/> the run's owner if it is unfinished and unowned, already owned by it, or owned by a replica silent since <paramref name="staleBefore"/>.</summary>
    Task<bool> TryClaimRunAsync(string runId, string owner, DateTimeOffset now, DateTimeOffset staleBefore, CancellationToken cancellationToken);

    /// <summary>Stores the run's new state and its changed steps, only while <paramref name="owner"/> still owns it (and refreshes its heartbeat); false otherwise, with nothing stored.</summary>
    Task<bool> SaveAsync(string owner, PipelineRunRecord run, IReadOnlyList<PipelineStepRecord> changedSteps, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Asks for an unfinished run to be cancelled; false when it is finished or missing.</summary>
    Task<bool> RequestCancelAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Records a decision on a step that is waiting for one; false when the step is not waiting or already has one.</summary>
    Task<bool> DecideAsync(string runId, string step, string decisionJson, CancellationToken cancellationToken);

    /// <summary>
    /// Starts a failed or cancelled run again from where it stopped: its failed, cancelled and skipped steps become pending,
    /// steps that succeeded keep their outputs, and the run is queued as attempt + 1; false when the run is not failed or cancelled.
    /// </summary>
    Task<bool> RetryRunAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Appends log lines.</summary>
    Task AppendLogAsync(IReadOnlyList<PipelineLogLine> lines, CancellationToken cancellationToken);

    /// <summary>Log lines of a run (one step, or all), after <paramref name="afterSequence"/>, oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<PipelineLogLine>> ReadLogAsync(string runId, string? step, long afterSequence, int limit, CancellationToken cancellationToken);

    /// <summary>The newest step of the pipeline that succeeded with <paramref name="cacheKey"/>, or null.</summary>
    Task<PipelineStepRecord?> FindCachedAsync(string pipeline, string step, string cacheKey, CancellationToken cancellationToken);
}
