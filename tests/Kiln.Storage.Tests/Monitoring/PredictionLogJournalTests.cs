using Kiln.Core.Monitoring;
using Kiln.Storage.Stores;
using Kiln.Storage.Tests.Support;

namespace Kiln.Storage.Tests.Monitoring;

/// <summary>What the prediction-log journal must do, on SQLite and PostgreSQL.</summary>
public abstract class PredictionLogJournalContract
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 7, 0, 0, TimeSpan.Zero);

    protected abstract Task<(IPredictionLogJournal Journal, IAsyncDisposable Lifetime)> OpenAsync();

    protected async Task SilentSession_IsClaimedOnce_WithItsLastCounters_AndCleanOnesNever()
    {
        var (journal, lifetime) = await OpenAsync();
        await using var _ = lifetime;
        await journal.CheckpointAsync(Session("dead", T0, accepted: 900, written: 600, dropped: 5), default);
        await journal.CheckpointAsync(Session("dead", T0.AddSeconds(1), accepted: 1000, written: 700, dropped: 5), default);
        await journal.CheckpointAsync(Session("clean", T0, accepted: 50, written: 10), default);
        await journal.EndAsync(Session("clean", T0.AddSeconds(1), accepted: 50, written: 50), T0.AddSeconds(1), default);
        await journal.CheckpointAsync(Session("alive", T0.AddSeconds(9), accepted: 10, written: 0), default);

        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => journal.ClaimCrashedAsync(T0.AddSeconds(5), T0.AddSeconds(10), default)));

        var crashed = Assert.Single(claims.SelectMany(c => c));
        Assert.Equal(("dead", 1000L, 700L, 5L, 300L, true), (crashed.Id, crashed.Accepted, crashed.Written, crashed.Dropped, crashed.InFlight, crashed.Crashed));
        Assert.Equal(T0.AddSeconds(1), crashed.CheckpointAt);
        Assert.Equal(["dead"], (await journal.ListCrashedAsync(10, default)).Select(s => s.Id));
        Assert.Equal(["alive"], (await journal.ClaimCrashedAsync(T0.AddSeconds(60), T0.AddSeconds(61), default)).Select(s => s.Id));
    }

    protected async Task End_AfterBeingClaimed_LeavesTheCrashReportStanding()
    {
        var (journal, lifetime) = await OpenAsync();
        await using var _ = lifetime;
        await journal.CheckpointAsync(Session("slow", T0, accepted: 100, written: 40), default);
        await journal.ClaimCrashedAsync(T0.AddSeconds(5), T0.AddSeconds(6), default);

        await journal.EndAsync(Session("slow", T0.AddSeconds(7), accepted: 100, written: 100), T0.AddSeconds(7), default);
        await journal.CheckpointAsync(Session("slow", T0.AddSeconds(8), accepted: 100, written: 100), default);

        var crash = Assert.Single(await journal.ListCrashedAsync(10, default));
        Assert.Equal((60L, T0), (crash.InFlight, crash.CheckpointAt));
    }

    private static PredictionLogSession Session(string id, DateTimeOffset at, long accepted, long written, long dropped = 0) =>
        new(id, "replica-" + id, T0.AddMinutes(-10), at, accepted, written, dropped, Failed: 0);
}

public sealed class SqlitePredictionLogJournalTests : PredictionLogJournalContract
{
    [Fact]
    public Task Sqlite_SilentSession_IsClaimedOnce_WithItsLastCounters_AndCleanOnesNever() => SilentSession_IsClaimedOnce_WithItsLastCounters_AndCleanOnesNever();

    [Fact]
    public Task Sqlite_End_AfterBeingClaimed_LeavesTheCrashReportStanding() => End_AfterBeingClaimed_LeavesTheCrashReportStanding();

    protected override async Task<(IPredictionLogJournal Journal, IAsyncDisposable Lifetime)> OpenAsync()
    {
        var database = await SqliteTestDatabase.CreateAsync();
        return (new EfPredictionLogJournal(database), database);
    }
}

public sealed class PostgresPredictionLogJournalTests : PredictionLogJournalContract
{
    [PostgresFact]
    public Task Postgres_SilentSession_IsClaimedOnce_WithItsLastCounters_AndCleanOnesNever() => SilentSession_IsClaimedOnce_WithItsLastCounters_AndCleanOnesNever();

    [PostgresFact]
    public Task Postgres_End_AfterBeingClaimed_LeavesTheCrashReportStanding() => End_AfterBeingClaimed_LeavesTheCrashReportStanding();

    protected override async Task<(IPredictionLogJournal Journal, IAsyncDisposable Lifetime)> OpenAsync()
    {
        var database = await PostgresTestDatabase.CreateAsync();
        return (new EfPredictionLogJournal(database), database);
    }
}
