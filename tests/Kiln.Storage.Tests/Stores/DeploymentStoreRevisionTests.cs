using Kiln.Core;
using Kiln.Core.Deployments;
using Kiln.Core.Errors;
using Kiln.Storage.Stores;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Storage.Tests.Stores;

/// <summary>A change planned from one revision is stored only if the deployment is still at that revision: replicas cannot undo each other's changes.</summary>
public sealed class DeploymentStoreRevisionTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"kiln-store-{Guid.NewGuid():N}.db");

    [Fact]
    public async Task Save_PlannedFromAStaleRevision_IsAConflictAndChangesNothing()
    {
        var store = await StoreAsync();
        await store.SaveAsync(Change("first", expected: 0), default);
        await store.SaveAsync(Change("second", expected: 1), default);

        var error = await Assert.ThrowsAsync<KilnException>(() => store.SaveAsync(Change("stale", expected: 1), default));

        Assert.Equal(KilnErrorKind.Conflict, error.Kind);
        Assert.Contains("revision 2, not 1", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await store.GetAsync("bank", default))!.Revision);
        Assert.Equal(["second", "first"], (await store.HistoryAsync("bank", default)).Select(r => r.Reason));
    }

    [Fact]
    public async Task Save_NewDeploymentThatAnotherWriterCreatedFirst_IsAConflict()
    {
        var store = await StoreAsync();
        await store.SaveAsync(Change("created elsewhere", expected: 0), default);

        await Assert.ThrowsAsync<KilnException>(() => store.SaveAsync(Change("created here", expected: 0), default));
    }

    [Fact]
    public async Task Save_Settings_AreStoredWithTheDeploymentAndItsRevision()
    {
        var store = await StoreAsync();
        var settings = new DeploymentSettings(0.25, "customer", new BatchingPolicy(64, 750));
        await store.SaveAsync(Change("first", expected: 0) with { Settings = settings }, default);
        await store.SaveAsync(Change("second", expected: 1), default);

        var deployment = (await store.GetAsync("bank", default))!;
        var history = await store.HistoryAsync("bank", default);

        Assert.Equal(DeploymentSettings.Default, deployment.Settings);
        Assert.Equal([DeploymentSettings.Default, settings], history.Select(r => r.Settings));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(_file);
    }

    private async Task<EfDeploymentStore> StoreAsync()
    {
        var contexts = new Factory(new DbContextOptionsBuilder<KilnDbContext>().UseSqlite($"Data Source={_file}").Options);
        await using (var db = contexts.CreateDbContext())
        {
            await db.Database.MigrateAsync();
        }

        return new EfDeploymentStore(contexts, TimeProvider.System);
    }

    private static DeploymentChange Change(string reason, int expected) =>
        new("bank", [new DeploymentVariant("primary", "m", 1, "m/1", 100, VariantRole.Primary)], DeploymentSettings.Default, null, "test", "deploy", reason, expected);

    private sealed class Factory(DbContextOptions<KilnDbContext> options) : IDbContextFactory<KilnDbContext>
    {
        public KilnDbContext CreateDbContext() => new(options);
    }
}
