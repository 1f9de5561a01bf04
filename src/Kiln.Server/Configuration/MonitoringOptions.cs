namespace Kiln.Server.Configuration;

/// <summary>The prediction log, ground truth, quality and drift (<c>Kiln:Monitoring</c>).</summary>
public sealed class MonitoringOptions
{
    /// <summary>Whether scored requests are written to the prediction log at all (each deployment also has a sampling rate).</summary>
    public bool PredictionLog { get; set; } = true;

    /// <summary>The most rows waiting for the log writer; beyond it records are dropped and counted, never blocking a request.</summary>
    public long QueueCapacityRows { get; set; } = 200_000;

    /// <summary>The most rows the writer stores in one transaction.</summary>
    public int BatchRows { get; set; } = 5_000;

    /// <summary>
    /// How long the writer waits for a batch to fill before storing what it has (group commit): under light traffic each
    /// transaction would otherwise hold a handful of rows, and its fixed cost would be paid per request. A flush (ground
    /// truth, reports, shutdown) never waits for it. Kept short: every queued request's batch and outputs stay alive
    /// while the writer waits, and at 50 ms they outlived the young generation, so most collections became gen-1
    /// collections whose pauses set single-row p99 at 10 ms instead of 3 ms (bench/README.md, "The log's linger").
    /// </summary>
    public TimeSpan BatchLinger { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// How often, while traffic flows, this process writes its prediction-log counters to the journal, so that after a
    /// crash the rows it had acknowledged but not stored are reported. A crash's report misses at most this much traffic.
    /// </summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Logged predictions older than this are deleted.</summary>
    public TimeSpan RetentionAge { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The most logged predictions kept; the oldest beyond it are deleted.</summary>
    public long RetentionRows { get; set; } = 10_000_000;

    /// <summary>How often retention runs.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Ground truth arriving later than this after its prediction is reported as late (and still used).</summary>
    public TimeSpan LateLabelAfter { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The time bucket live traffic profiles are kept in; drift windows are merges of whole buckets.</summary>
    public TimeSpan ProfileBucket { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The most labels (or custom metric points) one upload may carry.</summary>
    public int MaxLabelsPerRequest { get; set; } = 100_000;
}
