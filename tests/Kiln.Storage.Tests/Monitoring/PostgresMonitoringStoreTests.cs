using Kiln.Core.Monitoring;
using Kiln.Storage.PostgreSql.Monitoring;
using Kiln.Storage.Tests.Support;

namespace Kiln.Storage.Tests.Monitoring;

public sealed class PostgresMonitoringStoreTests : MonitoringStoreContract
{
    [PostgresFact]
    public Task Postgres_Log_AppendThenQuery_ReturnsEveryFieldInIdOrder() => Log_AppendThenQuery_ReturnsEveryFieldInIdOrder();

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

    protected override async Task<IMonitoringStores> OpenAsync() => new Stores(await PostgresTestDatabase.CreateAsync());

    private sealed class Stores(PostgresTestDatabase database) : IMonitoringStores
    {
        private readonly PostgresGroundTruth _groundTruth = new(database.DataSource);

        public IPredictionLogStore Log { get; } = new PostgresPredictionLog(database.DataSource);

        public IGroundTruthStore GroundTruth => _groundTruth;

        public IQualityDataSource Quality => _groundTruth;

        public ISketchStore Sketches { get; } = new PostgresSketchStore(database.DataSource, "test-replica");

        public ICustomMetricStore CustomMetrics { get; } = new PostgresCustomMetricStore(database.DataSource);

        public ValueTask DisposeAsync() => database.DisposeAsync();
    }
}
