using System.Diagnostics;
using Kiln.Core.Monitoring;
using Microsoft.Extensions.Logging;

namespace Kiln.Monitoring.PredictionLog;

/// <summary>
/// The one consumer of the <see cref="PredictionLogQueue"/>: takes up to a batch of rows at a time, encodes each
/// request into the columnar form the log stores (<see cref="PredictionBlobEncoder"/>), stores them in one
/// transaction (while encoding the next batch), shows them to the observers, and wakes whoever waits for a flush.
/// A failing store is retried with backoff; rows it still cannot store are counted as failed and logged.
/// </summary>
public sealed partial class PredictionLogWriter
{
    private static readonly TimeSpan[] Backoff = [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)];

    private readonly PredictionLogQueue _queue;
    private readonly IPredictionLogStore _store;
    private readonly IReadOnlyList<IPredictionObserver> _observers;
    private readonly ILogger<PredictionLogWriter> _logger;
    private readonly int _batchRows;
    private readonly TimeSpan _linger;
    private readonly SemaphoreSlim _flushRequested = new(0);
    private readonly PredictionBlobEncoder _encoder = new();
    private readonly Lock _waitersLock = new();
    private readonly List<(long Target, TaskCompletionSource Done)> _waiters = [];
    private long _completed;
    private long _writtenRows;
    private long _failedRows;
    private long _batches;
    private long _observersFlushedAt;

    /// <summary>How often the observers persist while traffic flows.</summary>
    public static TimeSpan ObserverFlushInterval { get; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Creates the writer; <paramref name="batchRows"/> bounds the rows per transaction, and a batch that is not full
    /// waits up to <paramref name="linger"/> for more (none by default) unless a flush is asked for.
    /// </summary>
    public PredictionLogWriter(PredictionLogQueue queue, IPredictionLogStore store, IEnumerable<IPredictionObserver> observers, ILogger<PredictionLogWriter> logger, int batchRows = 5000, TimeSpan linger = default)
    {
        _linger = linger;
        _queue = queue;
        _store = store;
        _observers = observers.ToArray();
        _logger = logger;
        _batchRows = batchRows;
    }

    /// <summary>Rows stored since start.</summary>
    public long WrittenRows => Interlocked.Read(ref _writtenRows);

    /// <summary>Rows the store refused after every retry.</summary>
    public long FailedRows => Interlocked.Read(ref _failedRows);

    /// <summary>Transactions committed since start.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Drains the queue until it is completed and empty.</summary>
    public async Task RunAsync()
    {
        // Two batches in flight: while the store writes one on a pool thread, this loop encodes the next one. A stored batch is finished — observed, counted, its flush waiters woken — before
        // the loop waits for more records, so a flush never waits on traffic that is not coming.
        var reader = _queue.Reader;
        var building = new Batch();
        var stored = new Batch();
        Task? storing = null;
        while (true)
        {
            if (storing is not null && !reader.TryPeek(out _))
            {
                await storing;
                await FinishAsync(stored);
                storing = null;
            }

            if (!await reader.WaitToReadAsync(CancellationToken.None))
            {
                break;
            }

            building.Clear();
            Take(reader, building);

            // Group commit: a transaction's fixed cost (open, begin, next id, bucket counts, commit) would otherwise be paid
            // by every request under light traffic, where each batch holds a handful of rows.
            if (building.RowCount < _batchRows && _linger > TimeSpan.Zero && !FlushWaiting)
            {
                await _flushRequested.WaitAsync(_linger);
                Take(reader, building);
            }

            if (storing is not null)
            {
                await storing;
                await FinishAsync(stored);
            }

            (building, stored) = (stored, building);
            var requests = stored.Requests;
            var rows = stored.RowCount;
            storing = Task.Run(() => StoreAsync(requests, rows));
        }

        if (storing is not null)
        {
            await storing;
            await FinishAsync(stored);
        }

        ReleaseWaiters(all: true);
        await FlushObserversAsync(CancellationToken.None);
    }

    private bool FlushWaiting
    {
        get
        {
            lock (_waitersLock)
            {
                return _waiters.Count > 0;
            }
        }
    }

    private void Take(System.Threading.Channels.ChannelReader<PredictionRecord> reader, Batch batch)
    {
        while (batch.RowCount < _batchRows && reader.TryRead(out var record))
        {
            batch.Add(record, _encoder.Encode(record));
        }
    }

    private async Task FinishAsync(Batch batch)
    {
        foreach (var record in batch.Records)
        {
            foreach (var observer in _observers)
            {
                observer.Observe(record);
            }
        }

        _queue.Dequeued(batch.RowCount);
        Interlocked.Add(ref _completed, batch.Records.Count);
        ReleaseWaiters();
        if (Stopwatch.GetElapsedTime(Interlocked.Read(ref _observersFlushedAt)) >= ObserverFlushInterval)
        {
            await FlushObserversAsync(CancellationToken.None);
        }
    }

    private sealed class Batch
    {
        public List<PredictionRecord> Records { get; } = [];

        public List<LoggedRequest> Requests { get; } = [];

        public int RowCount { get; private set; }

        public void Add(PredictionRecord record, LoggedRequest request)
        {
            Records.Add(record);
            Requests.Add(request);
            RowCount += request.Rows;
        }

        public void Clear()
        {
            Records.Clear();
            Requests.Clear();
            RowCount = 0;
        }
    }

    /// <summary>Waits until every record enqueued before this call is stored and observed, then has the observers persist.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var target = _queue.Enqueued;
        if (Interlocked.Read(ref _completed) < target)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_waitersLock)
            {
                _waiters.Add((target, done));
            }

            ReleaseWaiters();

            // One pending wake-up is enough (the writer takes every waiter's rows when it wakes); more would only pile up.
            if (_flushRequested.CurrentCount == 0)
            {
                _flushRequested.Release();
            }

            await done.Task.WaitAsync(cancellationToken);
        }

        await FlushObserversAsync(cancellationToken);
    }

    private async Task FlushObserversAsync(CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _observersFlushedAt, Stopwatch.GetTimestamp());
        foreach (var observer in _observers)
        {
            try
            {
                await observer.FlushAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogObserverFailed(e, observer.GetType().Name);
            }
        }
    }

    private async Task StoreAsync(List<LoggedRequest> requests, int rows)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await _store.AppendAsync(requests, CancellationToken.None);
                Interlocked.Add(ref _writtenRows, rows);
                Interlocked.Increment(ref _batches);
                return;
            }
            catch (Exception e) when (attempt < Backoff.Length)
            {
                LogRetry(e, rows, Backoff[attempt]);
                await Task.Delay(Backoff[attempt]);
            }
            catch (Exception e)
            {
                Interlocked.Add(ref _failedRows, rows);
                LogFailed(e, rows);
                return;
            }
        }
    }

    private void ReleaseWaiters(bool all = false)
    {
        var completed = Interlocked.Read(ref _completed);
        lock (_waitersLock)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (all || _waiters[i].Target <= completed)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Prediction-log observer {Observer} failed to persist; it retries on the next flush")]
    private partial void LogObserverFailed(Exception exception, string observer);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Storing {Rows} prediction-log rows failed; retrying in {Delay}")]
    private partial void LogRetry(Exception exception, int rows, TimeSpan delay);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Error, Message = "Gave up storing {Rows} prediction-log rows; they are counted as failed")]
    private partial void LogFailed(Exception exception, int rows);
}
