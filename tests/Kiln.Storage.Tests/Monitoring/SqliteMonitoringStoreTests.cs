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
    public Task Sqlite_Log_ARequestOfManyRows_ReadsBackRowByRowWithItsOwnIdsAndLabels() => Log_ARequestOfManyRows_ReadsBackRowByRowWithItsOwnIdsAndLabels();

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

    [Fact]
    public async Task Sqlite_Upgrade_FromOneRowPerPrediction_KeepsEveryRowLabelAndId()
    {
        var folder = Path.Combine(Path.GetTempPath(), "kiln-storage-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "monitoring.db");
        try
        {
            await using (var old = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}"))
            {
                await old.OpenAsync();
                await using var command = old.CreateCommand();
                command.CommandText = """
                    CREATE TABLE predictions (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, deployment TEXT NOT NULL, variant TEXT NOT NULL,
                        model TEXT NOT NULL, version INTEGER NOT NULL, request_id TEXT NOT NULL, row INTEGER NOT NULL, latency_ms REAL NOT NULL,
                        prediction TEXT, score REAL, positive_label TEXT, inputs TEXT NOT NULL, outputs TEXT NOT NULL, label TEXT, label_num REAL, labelled_at INTEGER);
                    CREATE TABLE quality_buckets (deployment TEXT NOT NULL, bucket INTEGER NOT NULL, version INTEGER NOT NULL,
                        predictions INTEGER NOT NULL DEFAULT 0, summary BLOB, stale INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (deployment, bucket, version)) WITHOUT ROWID;
                    INSERT INTO predictions VALUES (7, $t0, 'bank', 'primary', 'm', 1, 'r1', 2, 1.5, 'yes', 0.8, 'yes', '{"age":41,"job":"a \"b\""}', '{"p":{"no":0.2,"yes":0.8}}', 'no', NULL, $t1);
                    INSERT INTO predictions VALUES (9, $t0, 'bank', 'primary', 'm', 1, 'r2', 0, 1.5, 'no', 0.3, 'yes', '{"age":30}', '{"p":{"no":0.7,"yes":0.3}}', NULL, NULL, NULL);
                    INSERT INTO quality_buckets VALUES ('bank', $t0, 1, 2, NULL, 1);
                    PRAGMA user_version = 1;
                    """;
                command.Parameters.AddWithValue("$t0", T0.ToUnixTimeMilliseconds());
                command.Parameters.AddWithValue("$t1", T0.AddHours(1).ToUnixTimeMilliseconds());
                await command.ExecuteNonQueryAsync();
            }

            var database = new MonitoringDatabase(path);
            var log = new SqlitePredictionLog(database);
            var truth = new SqliteGroundTruth(database);

            var rows = await log.QueryAsync(new PredictionQuery("bank", Limit: null), default).ToListAsync();
            Assert.Equal([(7L, "r1", 2, "no"), (9, "r2", 0, null)], rows.Select(r => (r.Id, r.RequestId, r.Row, r.Label)));
            Assert.Equal(("""{"age":41,"job":"a \"b\""}""", """{"p":{"no":0.2,"yes":0.8}}"""), (rows[0].InputsJson, rows[0].OutputsJson));
            Assert.Equal(("yes", 0.8, "yes", T0.AddHours(1)), (rows[0].Prediction, rows[0].Score, rows[0].PositiveLabel, rows[0].LabelledAt));

            var result = await truth.ApplyAsync("bank", [new("r2", 0, "yes"), new("r1", 2, "yes")], T0.AddHours(2), TimeSpan.FromDays(1), default);
            Assert.Equal((1, 1), (result.Accepted, result.Duplicates));
            var labelled = await truth.ReadLabelledAsync("bank", T0, T0.AddMinutes(1), null, PredictionTask.Binary, null, default);
            Assert.Equal([(0.8, true, false), (0.3, false, true)], labelled.Select(l => (l.Score, l.PredictedPositive, l.ActualPositive)));
            Assert.Equal(PredictionTask.Binary, await truth.DetectTaskAsync("bank", T0, T0.AddMinutes(1), default));
            var bucket = Assert.Single(await truth.ReadSummariesAsync("bank", T0, T0.AddMinutes(1), null, default));
            Assert.Equal((2L, 2L), (bucket.Predictions, bucket.Summary.Labelled));

            await log.AppendAsync([LoggedRows.Binary("r3", T0, 10, 90)], default);
            var after = await log.QueryAsync(new PredictionQuery("bank", AfterId: 9, Limit: null), default).ToListAsync();
            Assert.Equal([10L, 11L], after.Select(r => r.Id));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

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
