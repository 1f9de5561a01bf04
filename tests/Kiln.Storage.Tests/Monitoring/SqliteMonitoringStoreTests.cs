using Kiln.Core.Monitoring;
using Kiln.Storage.Monitoring;

namespace Kiln.Storage.Tests.Monitoring;

public sealed class SqliteMonitoringStoreTests : MonitoringStoreContract
{
    [Fact]
    public Task Sqlite_Log_AppendThenQuery_ReturnsEveryFieldInIdOrder() => Log_AppendThenQuery_ReturnsEveryFieldInIdOrder();

    [Fact]
    public Task Sqlite_Log_KeepsTextExactly_AndMissingValuesAsNull() => Log_KeepsTextExactly_AndMissingValuesAsNull();

    [Fact]
    public Task Sqlite_GroundTruth_CountsAcceptedLateDuplicateAndUnknown() => GroundTruth_CountsAcceptedLateDuplicateAndUnknown();

    [Fact]
    public Task Sqlite_Quality_ReadsLabelledRowsAndCountsPerWindowAndVersion() => Quality_ReadsLabelledRowsAndCountsPerWindowAndVersion();

    [Fact]
    public Task Sqlite_Retention_DeletesOldRowsAndKeepsTheNewestWithinTheCap() => Retention_DeletesOldRowsAndKeepsTheNewestWithinTheCap();

    [Fact]
    public Task Sqlite_Sketches_UpsertReplacesABucketAndReadsByRange() => Sketches_UpsertReplacesABucketAndReadsByRange();

    [Fact]
    public Task Sqlite_CustomMetrics_AppendThenReadByNameAndRange() => CustomMetrics_AppendThenReadByNameAndRange();

    [Fact]
    public Task Sqlite_QualityBuckets_SummariseEachMinuteAndVersionAsTheirRowsDo() => QualityBuckets_SummariseEachMinuteAndVersionAsTheirRowsDo();

    [Fact]
    public Task Sqlite_QualityBuckets_AfterAnUpgradeAreRebuiltFromTheRows() => QualityBuckets_AfterAnUpgradeAreRebuiltFromTheRows();

    [Fact]
    public Task Sqlite_QualityBuckets_AfterRetentionHoldOnlyTheRowsLeft() => QualityBuckets_AfterRetentionHoldOnlyTheRowsLeft();

    protected override Task<IMonitoringStores> OpenAsync() => Task.FromResult<IMonitoringStores>(new Stores());

    private sealed class Stores : IMonitoringStores
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "kiln-storage-tests", Guid.NewGuid().ToString("N"));

        public Stores()
        {
            Directory.CreateDirectory(_folder);
            Open();
        }

        public IPredictionLogStore Log { get; private set; } = null!;

        public IGroundTruthStore GroundTruth { get; private set; } = null!;

        public IQualityDataSource Quality { get; private set; } = null!;

        public ISketchStore Sketches { get; private set; } = null!;

        public ICustomMetricStore CustomMetrics { get; private set; } = null!;

        private string DatabasePath => Path.Combine(_folder, "monitoring.db");

        public async Task UpgradeFromBeforeQualityBucketsAsync()
        {
            await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath}"))
            {
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = "DROP TABLE quality_buckets; PRAGMA user_version = 0;";
                await command.ExecuteNonQueryAsync();
            }

            Open();
        }

        private void Open()
        {
            var database = new MonitoringDatabase(DatabasePath);
            var groundTruth = new SqliteGroundTruth(database);
            (Log, GroundTruth, Quality, Sketches, CustomMetrics) =
                (new SqlitePredictionLog(database), groundTruth, groundTruth, new SqliteSketchStore(database), new SqliteCustomMetricStore(database));
        }

        public ValueTask DisposeAsync()
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_folder, recursive: true);
            return ValueTask.CompletedTask;
        }
    }
}
