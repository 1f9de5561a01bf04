using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using Kiln.Core.Monitoring;
using Kiln.LogIngest;
using Kiln.Monitoring.PredictionLog;
using Kiln.Storage.Monitoring;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Benchmarks;

/// <summary>
/// The serving path's share of the prediction log: one <see cref="PredictionLogQueue.TryEnqueue"/>
/// per request, against a bare unbounded channel write (the queue's own cost is the row count and
/// the ordering lock). Each invocation fills a fresh queue with 1,000 prebuilt records, so the
/// channel's segment growth is amortized in both and nothing per record should be allocated.
/// </summary>
[MemoryDiagnoser]
public class PredictionLogQueueBenchmarks
{
    private const int Records = 1000;
    private PredictionRecord[] _records = null!;
    private PredictionLogQueue _full = null!;

    [GlobalSetup]
    public void Setup()
    {
        var bank = new BankRecords(1);
        _records = Enumerable.Range(0, Records).Select(i => bank.Create($"0HNBENCH00:{i:X8}", i, DateTimeOffset.UnixEpoch)).ToArray();
        _full = new PredictionLogQueue(0);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Records, Description = "Channel.TryWrite (unbounded, single reader)")]
    public bool ChannelOnly()
    {
        var channel = Channel.CreateUnbounded<PredictionRecord>(new UnboundedChannelOptions { SingleReader = true });
        var ok = true;
        foreach (var record in _records)
        {
            ok &= channel.Writer.TryWrite(record);
        }

        return ok;
    }

    [Benchmark(OperationsPerInvoke = Records, Description = "PredictionLogQueue.TryEnqueue")]
    public bool TryEnqueue()
    {
        var queue = new PredictionLogQueue(200_000);
        var ok = true;
        foreach (var record in _records)
        {
            ok &= queue.TryEnqueue(record);
        }

        return ok;
    }

    [Benchmark(OperationsPerInvoke = Records, Description = "PredictionLogQueue.TryEnqueue, queue full (drop)")]
    public bool TryEnqueueFull()
    {
        var ok = false;
        foreach (var record in _records)
        {
            ok |= _full.TryEnqueue(record);
        }

        return ok;
    }
}

/// <summary>
/// The writer's cost per logged row off the request path: 5,000 rows (one writer batch) of
/// bank-shaped records are enqueued, the queue is completed and <see cref="PredictionLogWriter.RunAsync"/>
/// drains it. With a no-op store (the baseline) that is row building (JSON features and outputs,
/// prediction and score) and the channel; with SQLite it adds one transaction of 5,000 inserts
/// into a temp monitoring.db (which grows across iterations, as a live log does).
/// </summary>
[MemoryDiagnoser]
public class PredictionLogWriterBenchmarks
{
    private const int BatchRows = 5000;
    private PredictionRecord[] _records = null!;
    private NoopStore _noop = null!;
    private SqlitePredictionLog _sqlite = null!;
    private string _tempDir = null!;

    [Params(1, 100)]
    public int RowsPerRecord { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var bank = new BankRecords(RowsPerRecord);
        _records = Enumerable.Range(0, BatchRows / RowsPerRecord).Select(i => bank.Create($"0HNBENCH00:{i:X8}", i, DateTimeOffset.UnixEpoch)).ToArray();
        _noop = new NoopStore();
        _tempDir = Directory.CreateTempSubdirectory("kiln-bench-log").FullName;
        _sqlite = new SqlitePredictionLog(new MonitoringDatabase(Path.Combine(_tempDir, "monitoring.db")));
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = BatchRows, Description = "writer, no-op store (row building)")]
    public Task NoopStore() => DrainAsync(_noop);

    [Benchmark(OperationsPerInvoke = BatchRows, Description = "writer, SQLite store")]
    public Task Sqlite() => DrainAsync(_sqlite);

    [GlobalCleanup]
    public void Cleanup()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_tempDir, recursive: true);
    }

    private async Task DrainAsync(IPredictionLogStore store)
    {
        var queue = new PredictionLogQueue(200_000);
        foreach (var record in _records)
        {
            queue.TryEnqueue(record);
        }

        queue.Complete();
        await new PredictionLogWriter(queue, store, [], NullLogger<PredictionLogWriter>.Instance, BatchRows).RunAsync();
    }
}
