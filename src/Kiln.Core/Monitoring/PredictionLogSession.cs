namespace Kiln.Core.Monitoring;

/// <summary>
/// One process's prediction-log counters since it started, checkpointed about every second, so that after a crash
/// (kill -9, out-of-memory kill, power loss) the rows it had acknowledged but not yet stored can be counted and reported.
/// </summary>
/// <param name="Id">The session's id (random, one per process start).</param>
/// <param name="Replica">The replica it ran as.</param>
/// <param name="StartedAt">When the process started logging.</param>
/// <param name="CheckpointAt">When the counters were last written.</param>
/// <param name="Accepted">Rows acknowledged to clients and queued for the log (dropped rows are not queued).</param>
/// <param name="Written">Rows stored.</param>
/// <param name="Dropped">Rows dropped because the queue was full (counted in /metrics as they happen).</param>
/// <param name="Failed">Rows the store refused after every retry.</param>
public sealed record PredictionLogSession(
    string Id, string Replica, DateTimeOffset StartedAt, DateTimeOffset CheckpointAt, long Accepted, long Written, long Dropped, long Failed)
{
    /// <summary>When the session ended: a clean stop, or the moment another process found it dead. Null while it runs.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Whether it ended without a clean stop (its process died).</summary>
    public bool Crashed { get; init; }

    /// <summary>Rows queued but neither stored nor refused at the last checkpoint: what a crash lost.</summary>
    public long InFlight => Math.Max(0, Accepted - Written - Failed);
}

/// <summary>Where processes checkpoint their prediction-log counters (<see cref="PredictionLogSession"/>).</summary>
public interface IPredictionLogJournal
{
    /// <summary>Creates or updates the session's row with its current counters.</summary>
    Task CheckpointAsync(PredictionLogSession session, CancellationToken cancellationToken);

    /// <summary>Writes the final counters and marks the session cleanly ended.</summary>
    Task EndAsync(PredictionLogSession session, DateTimeOffset endedAt, CancellationToken cancellationToken);

    /// <summary>
    /// Marks every running session last checkpointed before <paramref name="silentSince"/> as crashed, at most once
    /// however many replicas ask at the same time, and returns the sessions this call marked.
    /// </summary>
    Task<IReadOnlyList<PredictionLogSession>> ClaimCrashedAsync(DateTimeOffset silentSince, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The sessions that ended by crashing, newest first.</summary>
    Task<IReadOnlyList<PredictionLogSession>> ListCrashedAsync(int limit, CancellationToken cancellationToken);
}
