using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Kiln.Core.Monitoring;
using Kiln.Storage.PostgreSql.Monitoring;
using Kiln.Storage.Tests.Support;

namespace Kiln.Storage.Tests.Monitoring;

public sealed class PostgresMonitoringStoreTests : MonitoringStoreContract
{
    [PostgresFact]
    public Task Postgres_Log_AppendThenQuery_ReturnsEveryFieldInIdOrder() => Log_AppendThenQuery_ReturnsEveryFieldInIdOrder();

    [PostgresFact]
    public Task Postgres_Log_KeepsTextExactly_AndMissingValuesAsNull() => Log_KeepsTextExactly_AndMissingValuesAsNull();

    [PostgresFact]
    public Task Postgres_Log_ARequestOfManyRows_ReadsBackRowByRowWithItsOwnIdsAndLabels() => Log_ARequestOfManyRows_ReadsBackRowByRowWithItsOwnIdsAndLabels();

    [PostgresFact]
    public Task Postgres_GroundTruth_CountsAcceptedLateDuplicateAndUnknown() => GroundTruth_CountsAcceptedLateDuplicateAndUnknown();

    [PostgresFact]
    public Task Postgres_Quality_ReadsLabelledRowsAndCountsPerWindowAndVersion() => Quality_ReadsLabelledRowsAndCountsPerWindowAndVersion();

    [PostgresFact]
    public Task Postgres_Retention_DeletesOldRowsAndKeepsTheNewestWithinTheCap() => Retention_DeletesOldRowsAndKeepsTheNewestWithinTheCap();

    [PostgresFact]
    public Task Postgres_Sketches_UpsertReplacesABucketAndReadsByRange() => Sketches_UpsertReplacesABucketAndReadsByRange();

    [PostgresFact]
    public Task Postgres_CustomMetrics_AppendThenReadByNameAndRange() => CustomMetrics_AppendThenReadByNameAndRange();

    [PostgresFact]
    public Task Postgres_QualityBuckets_SummariseEachMinuteAndVersionAsTheirRowsDo() => QualityBuckets_SummariseEachMinuteAndVersionAsTheirRowsDo();

    [PostgresFact]
    public Task Postgres_QualityBuckets_AfterAnUpgradeAreRebuiltFromTheRows() => QualityBuckets_AfterAnUpgradeAreRebuiltFromTheRows();

    [PostgresFact]
    public Task Postgres_QualityBuckets_AfterRetentionHoldOnlyTheRowsLeft() => QualityBuckets_AfterRetentionHoldOnlyTheRowsLeft();

    [PostgresFact]
    public async Task Postgres_Sketches_ReadOwnReturnsOnlyThisReplicasBucket()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        var a = new PostgresSketchStore(database.DataSource, "replica-a");
        var b = new PostgresSketchStore(database.DataSource, "replica-b");
        await a.UpsertAsync([new("bank", "m", 1, 60_000, 3, [1, 2, 3])], default);

        Assert.Equal(3L, (await a.ReadOwnAsync("bank", "m", 1, 60_000, default))!.Rows);
        Assert.Null(await b.ReadOwnAsync("bank", "m", 1, 60_000, default));
    }

    protected override async Task<IMonitoringStores> OpenAsync() => new Stores(await PostgresTestDatabase.CreateAsync());

    private sealed class Stores(PostgresTestDatabase database) : IMonitoringStores
    {
        private readonly PostgresGroundTruth _groundTruth = new(database.DataSource);

        public IPredictionLogStore Log { get; } = new PostgresPredictionLog(database.DataSource);

        public IGroundTruthStore GroundTruth => _groundTruth;

        public IQualityDataSource Quality => _groundTruth;

        public ISketchStore Sketches { get; } = new PostgresSketchStore(database.DataSource, "test-replica");

        public ICustomMetricStore CustomMetrics { get; } = new PostgresCustomMetricStore(database.DataSource);

        public async Task UpgradeFromBeforeQualityBucketsAsync()
        {
            await using var db = database.CreateContext();
            var migrator = db.GetService<IMigrator>();
            await migrator.MigrateAsync("AliasHistory");
            await migrator.MigrateAsync();
        }

        public ValueTask DisposeAsync() => database.DisposeAsync();
    }
}
