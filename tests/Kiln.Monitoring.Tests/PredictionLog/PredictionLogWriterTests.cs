using System.Runtime.CompilerServices;
using Kiln.Core.Monitoring;
using Kiln.Core.Packaging;
using Kiln.Core.Tensors;
using Kiln.Monitoring.PredictionLog;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Monitoring.Tests.PredictionLog;

public sealed class PredictionLogWriterTests
{
    private static readonly ModelSignature Signature = new(
        [new TensorSpec("features", TensorDataType.Fp32, [-1, 2]) { Columns = ["age", "balance"] }, new TensorSpec("job", TensorDataType.Bytes, [-1])],
        [new TensorSpec("label", TensorDataType.Bytes, [-1]), new TensorSpec("probabilities", TensorDataType.Fp32, [-1, 2])]);

    internal static PredictionRecord Record(string id, int rows, DateTimeOffset? at = null)
    {
        var features = new float[rows * 2];
        var jobs = new string[rows];
        var labels = new string[rows];
        var probabilities = new float[rows * 2];
        for (var r = 0; r < rows; r++)
        {
            features[r * 2] = 30 + r;
            features[(r * 2) + 1] = 100 * r;
            jobs[r] = r % 2 == 0 ? "admin." : "technician";
            probabilities[(r * 2) + 1] = r % 2 == 0 ? 0.8f : 0.3f;
            probabilities[r * 2] = 1 - probabilities[(r * 2) + 1];
            labels[r] = r % 2 == 0 ? "yes" : "no";
        }

        var batch = new InferenceBatch([new Tensor("features", TensorDataType.Fp32, [rows, 2], features, features.Length), new Tensor("job", TensorDataType.Bytes, [rows], jobs, rows)], rows);
        var result = new InferenceResult([
            new Tensor("label", TensorDataType.Bytes, [rows], labels, rows),
            new Tensor("probabilities", TensorDataType.Fp32, [rows, 2], probabilities, probabilities.Length) { Labels = ["no", "yes"] },
        ]);
        return new PredictionRecord(id, "bank", "primary", "bank", 3, at ?? DateTimeOffset.UnixEpoch.AddDays(20000), 0.25, batch, result, Signature);
    }

    [Fact]
    public async Task Writer_Rows_CarryNamedFeaturesPredictionAndPositiveScore()
    {
        var store = new MemoryStore();
        var queue = new PredictionLogQueue(1000);
        var writer = new PredictionLogWriter(queue, store, [], NullLogger<PredictionLogWriter>.Instance);
        var run = Task.Run(writer.RunAsync);

        Assert.True(queue.TryEnqueue(Record("r1", 2)));
        await writer.FlushAsync(CancellationToken.None);

        Assert.Equal(2, store.Rows.Count);
        var second = store.Rows[1];
        Assert.Equal(("r1", 1), (second.RequestId, second.Row));
        Assert.Equal("""{"age":31,"balance":100,"job":"technician"}""", second.InputsJson);
        Assert.Equal("no", second.Prediction);
        Assert.Equal("yes", second.PositiveLabel);
        Assert.Equal(0.3, second.Score!.Value, 6);
        Assert.Equal("""{"label":"no","probabilities":{"no":0.7,"yes":0.3}}""", second.OutputsJson);
        Assert.Equal([1L, 2L], store.Rows.Select(r => r.Id));
        queue.Complete();
        await run;
    }

    [Fact]
    public void Queue_Full_DropsAndCountsInsteadOfBlocking()
    {
        var queue = new PredictionLogQueue(capacityRows: 5);

        Assert.True(queue.TryEnqueue(Record("a", 3)));
        Assert.False(queue.TryEnqueue(Record("b", 3)));
        Assert.True(queue.TryEnqueue(Record("c", 2)));

        Assert.Equal(5, queue.QueuedRows);
        Assert.Equal(3, queue.DroppedRows);
        Assert.Equal(1, queue.DroppedRequests);
    }

    [Fact]
    public async Task Writer_Completed_DrainsEverythingQueuedBeforeEnding()
    {
        var store = new MemoryStore { Delay = TimeSpan.FromMilliseconds(20) };
        var queue = new PredictionLogQueue(100_000);
        var writer = new PredictionLogWriter(queue, store, [], NullLogger<PredictionLogWriter>.Instance, batchRows: 7);
        for (var i = 0; i < 50; i++)
        {
            queue.TryEnqueue(Record($"r{i}", 3));
        }

        var run = Task.Run(writer.RunAsync);
        queue.Complete();
        await run;

        Assert.Equal(150, store.Rows.Count);
        Assert.Equal(150, writer.WrittenRows);
        Assert.Equal(0, queue.QueuedRows);
        Assert.False(queue.TryEnqueue(Record("late", 1)));
        Assert.Equal(1, queue.DroppedRows);
    }

    [Fact]
    public async Task Writer_StoreFailsOnce_RetriesAndLosesNothing()
    {
        var store = new MemoryStore { FailuresLeft = 1 };
        var queue = new PredictionLogQueue(1000);
        var writer = new PredictionLogWriter(queue, store, [], NullLogger<PredictionLogWriter>.Instance);
        var run = Task.Run(writer.RunAsync);

        queue.TryEnqueue(Record("r", 4));
        await writer.FlushAsync(CancellationToken.None);

        Assert.Equal(4, store.Rows.Count);
        Assert.Equal(0, writer.FailedRows);
        queue.Complete();
        await run;
    }

    [Fact]
    public async Task Writer_WithALinger_StoresRecordsArrivingTogetherInOneBatch_AndAFlushDoesNotWaitForIt()
    {
        var store = new MemoryStore();
        var queue = new PredictionLogQueue(1000);
        var writer = new PredictionLogWriter(queue, store, [], NullLogger<PredictionLogWriter>.Instance, linger: TimeSpan.FromHours(1));
        var run = Task.Run(writer.RunAsync);

        Assert.True(queue.TryEnqueue(Record("a", 1)));
        Assert.True(queue.TryEnqueue(Record("b", 2)));
        Assert.True(queue.TryEnqueue(Record("c", 1)));
        await writer.FlushAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((4, 1), (store.Rows.Count, store.Appends));
        Assert.True(queue.TryEnqueue(Record("d", 1)));
        await writer.FlushAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal((5, 2), (store.Rows.Count, store.Appends));
        queue.Complete();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Writer_Observers_SeeEveryRecordAfterItIsStored()
    {
        var observer = new CountingObserver();
        var queue = new PredictionLogQueue(1000);
        var writer = new PredictionLogWriter(queue, new MemoryStore(), [observer], NullLogger<PredictionLogWriter>.Instance);
        var run = Task.Run(writer.RunAsync);

        queue.TryEnqueue(Record("a", 2));
        queue.TryEnqueue(Record("b", 5));
        await writer.FlushAsync(CancellationToken.None);

        Assert.Equal(7, observer.Rows);
        Assert.True(observer.Flushes >= 1);
        queue.Complete();
        await run;
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    public void Sample_Extremes_AreExact(double rate, bool expected)
    {
        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal(expected, PredictionLogQueue.Sample(rate));
        }
    }

    [Fact]
    public void Sample_Quarter_LogsAboutAQuarter()
    {
        var logged = Enumerable.Range(0, 20_000).Count(_ => PredictionLogQueue.Sample(0.25));

        // Binomial(20000, 0.25): sd ≈ 61, so ±400 is more than 6 sd.
        Assert.InRange(logged, 4600, 5400);
    }

    private sealed class CountingObserver : IPredictionObserver
    {
        public int Rows { get; private set; }

        public int Flushes { get; private set; }

        public void Observe(PredictionRecord record) => Rows += record.Rows;

        public Task FlushAsync(CancellationToken cancellationToken)
        {
            Flushes++;
            return Task.CompletedTask;
        }
    }

    internal sealed class MemoryStore : IPredictionLogStore
    {
        public List<PredictionRow> Rows { get; } = [];

        public int Appends { get; private set; }

        public TimeSpan Delay { get; init; }

        public int FailuresLeft { get; set; }

        public async Task AppendAsync(IReadOnlyList<LoggedRequest> requests, CancellationToken cancellationToken)
        {
            await Task.Delay(Delay, cancellationToken);
            if (FailuresLeft-- > 0)
            {
                throw new IOException("disk full");
            }

            lock (Rows)
            {
                Appends++;
                foreach (var request in requests)
                {
                    Rows.AddRange((request with { Id = Rows.Count + 1 }).ToRows());
                }
            }
        }

        public async IAsyncEnumerable<PredictionRow> QueryAsync(PredictionQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            foreach (var row in Rows)
            {
                yield return row;
            }
        }

        public Task<long> CountAsync(PredictionQuery query, CancellationToken cancellationToken) => Task.FromResult((long)Rows.Count);

        public Task<long> ApplyRetentionAsync(DateTimeOffset olderThan, long maxRows, CancellationToken cancellationToken) => Task.FromResult(0L);
    }
}
