using Kiln.Core.Monitoring;
using Kiln.Storage.Monitoring;

namespace Kiln.Storage.Tests.Monitoring;

public sealed class SqliteMonitoringStoreTests : MonitoringStoreContract
{
    [Fact]
    public Task Sqlite_Log_AppendThenQuery_ReturnsEveryFieldInIdOrder() => Log_AppendThenQuery_ReturnsEveryFieldInIdOrder();

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

    protected override Task<IMonitoringStores> OpenAsync() => Task.FromResult<IMonitoringStores>(new Stores());

    private sealed class Stores : IMonitoringStores
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "kiln-storage-tests", Guid.NewGuid().ToString("N"));

        public Stores()
        {
            Directory.CreateDirectory(_folder);
            var database = new MonitoringDatabase(Path.Combine(_folder, "monitoring.db"));
            var groundTruth = new SqliteGroundTruth(database);
            (Log, GroundTruth, Quality, Sketches, CustomMetrics) =
                (new SqlitePredictionLog(database), groundTruth, groundTruth, new SqliteSketchStore(database), new SqliteCustomMetricStore(database));
        }

        public IPredictionLogStore Log { get; }

        public IGroundTruthStore GroundTruth { get; }

        public IQualityDataSource Quality { get; }

        public ISketchStore Sketches { get; }

        public ICustomMetricStore CustomMetrics { get; }

        public ValueTask DisposeAsync()
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_folder, recursive: true);
            return ValueTask.CompletedTask;
        }
    }
}
