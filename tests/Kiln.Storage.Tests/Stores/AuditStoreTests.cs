using Kiln.Core.Audit;
using Kiln.Storage.Stores;
using Kiln.Storage.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Storage.Tests.Stores;

/// <summary>What the audit log's store must do, on SQLite and PostgreSQL.</summary>
public abstract class AuditStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);

    protected abstract Task<(IAuditStore Store, KilnDbContext Db, IAsyncDisposable Lifetime)> OpenAsync();

    protected async Task Query_FiltersByTimeActorActionAndTarget_AndPagesInOrder()
    {
        var (store, db, lifetime) = await OpenAsync();
        await using var _ = lifetime;
        await using var __ = db;
        await store.AppendAsync(Event(T0, "k1", "PUT /api/models/{name}/aliases/{alias}", "/api/models/bank/aliases/champion", """{"version":1}""", """{"version":2}"""), default);
        await store.AppendAsync(Event(T0.AddMinutes(1), "k2", "DELETE /api/deployments/{name}", "/api/deployments/bank"), default);
        await store.AppendAsync(Event(T0.AddMinutes(2), "k1", "POST /api/keys", "/api/keys"), default);
        await store.AppendAsync(Event(T0.AddMinutes(3), "k1", "PUT /api/models/{name}/aliases/{alias}", "/api/models/churn/aliases/champion"), default);

        var all = await store.QueryAsync(new AuditQuery(), default);
        var byActor = await store.QueryAsync(new AuditQuery(Actor: "k1"), default);
        var aliasesOfBank = await store.QueryAsync(new AuditQuery(Action: "aliases", Target: "/api/models/bank"), default);
        var window = await store.QueryAsync(new AuditQuery(Since: T0.AddMinutes(1), Until: T0.AddMinutes(3)), default);
        var firstPage = await store.QueryAsync(new AuditQuery(Limit: 3), default);
        var nextPage = await store.QueryAsync(new AuditQuery(AfterId: firstPage[^1].Id, Limit: 3), default);

        Assert.Equal(4, all.Count);
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Id < p.Second.Id));
        Assert.Equal(3, byActor.Count);
        var alias = Assert.Single(aliasesOfBank);
        Assert.Equal(("""{"version":1}""", """{"version":2}""", "10.0.0.7", 200), (alias.Before, alias.After, alias.Address, alias.Status));
        Assert.Equal(["/api/deployments/bank", "/api/keys"], window.Select(e => e.Target));
        Assert.Equal(3, firstPage.Count);
        Assert.Equal("/api/models/churn/aliases/champion", Assert.Single(nextPage).Target);
    }

    protected async Task Events_CannotBeUpdated_ButRetentionDeletesTheOldest()
    {
        var (store, db, lifetime) = await OpenAsync();
        await using var _ = lifetime;
        await using var __ = db;
        await store.AppendAsync(Event(T0, "k1", "POST /api/keys", "/api/keys"), default);
        await store.AppendAsync(Event(T0.AddDays(2), "k1", "POST /api/keys", "/api/keys"), default);

        await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync("UPDATE audit_events SET \"Actor\" = 'someone-else'"));
        var removed = await store.DeleteOlderThanAsync(T0.AddDays(1), default);

        Assert.Equal(1, removed);
        Assert.Equal(["k1"], (await store.QueryAsync(new AuditQuery(), default)).Select(e => e.Actor));
    }

    private static AuditEvent Event(DateTimeOffset at, string actor, string action, string target, string? before = null, string? after = null) => new()
    {
        At = at,
        Actor = actor,
        ActorName = actor + "-name",
        Action = action,
        Target = target,
        Status = 200,
        Address = "10.0.0.7",
        RequestId = Guid.NewGuid().ToString("N"),
        Replica = "replica-a",
        Before = before,
        After = after,
    };
}

public sealed class SqliteAuditStoreTests : AuditStoreContract
{
    [Fact]
    public Task Sqlite_Query_FiltersByTimeActorActionAndTarget_AndPagesInOrder() => Query_FiltersByTimeActorActionAndTarget_AndPagesInOrder();

    [Fact]
    public Task Sqlite_Events_CannotBeUpdated_ButRetentionDeletesTheOldest() => Events_CannotBeUpdated_ButRetentionDeletesTheOldest();

    protected override async Task<(IAuditStore Store, KilnDbContext Db, IAsyncDisposable Lifetime)> OpenAsync()
    {
        var database = await SqliteTestDatabase.CreateAsync();
        return (new EfAuditStore(database), database.CreateDbContext(), database);
    }
}

public sealed class PostgresAuditStoreTests : AuditStoreContract
{
    [PostgresFact]
    public Task Postgres_Query_FiltersByTimeActorActionAndTarget_AndPagesInOrder() => Query_FiltersByTimeActorActionAndTarget_AndPagesInOrder();

    [PostgresFact]
    public Task Postgres_Events_CannotBeUpdated_ButRetentionDeletesTheOldest() => Events_CannotBeUpdated_ButRetentionDeletesTheOldest();

    protected override async Task<(IAuditStore Store, KilnDbContext Db, IAsyncDisposable Lifetime)> OpenAsync()
    {
        var database = await PostgresTestDatabase.CreateAsync();
        return (new EfAuditStore(database), database.CreateContext(), database);
    }
}
