namespace Kiln.Server.Pipelines;

/// <summary>How this replica runs pipelines (<c>Kiln:Pipelines</c>).</summary>
public sealed class PipelineOptions
{
    /// <summary>Whether this replica runs pipeline runs and, while it holds the singleton lease, their schedules.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How many runs this replica runs at once; more wait in the queue for any replica.</summary>
    public int MaxConcurrentRuns { get; set; } = 2;

    /// <summary>How often the replica looks for queued or orphaned runs, and a running run re-reads cancel requests and approvals.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a replica that stopped answering keeps its runs before another takes them over.</summary>
    public TimeSpan OwnerTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the lease holder checks cron triggers.</summary>
    public TimeSpan ScheduleInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How late a cron fire may still start its run (after a restart, say); older ones are skipped.</summary>
    public TimeSpan MisfireGrace { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Whether <c>command</c> steps may run programs on the server. Applying a file with one also needs an admin key.</summary>
    public bool AllowCommandSteps { get; set; } = true;

    /// <summary>Folders whose files steps may read by path (data files, model folders), besides the data folder and the working directory.</summary>
    public IList<string> FileRoots { get; } = [];
}
