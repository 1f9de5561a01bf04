using Kiln.Core.Deployments;
using Kiln.Core.Tensors;
using Kiln.Inference.Runtime;

namespace Kiln.Inference.Batching;

/// <summary>
/// Dynamic batching for one served variant: requests that arrive together are scored in one model call, and
/// each caller gets exactly its own rows back. A request goes at once while the model has an idle worker
/// (fewer calls running than <c>eagerCalls</c>, one per core by default), so a lightly loaded deployment adds no
/// wait. Once every worker is busy, requests gather until a worker frees, the batch holds the policy's row
/// limit, or its first request has waited the policy's delay, whichever comes first. A caller that stops
/// waiting is left out; a model call that fails is retried request by request, so one caller's bad input never
/// fails another's. A request as large as the limit is scored alone, straight away.
/// </summary>
/// <remarks>
/// Batches run on the thread that fills them, on a pool thread when a worker frees, or on the timer's thread.
/// The timer counts whole milliseconds on .NET's timer queue, so a delay under 1 ms means "as soon as a pool
/// thread is free", still gathering whatever arrived meanwhile.
/// </remarks>
public sealed class DynamicBatcher : IDisposable
{
    private readonly IModelRuntime _runtime;
    private readonly int _maxRows;
    private readonly TimeSpan _maxDelay;
    private readonly int _eagerCalls;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private List<PendingRequest> _pending = [];
    private int _pendingRows;
    private int _running;
    private long _batches;
    private long _requests;
    private long _rows;
    private volatile bool _unsplittable;

    /// <summary>
    /// Batches calls to <paramref name="runtime"/> by <paramref name="policy"/>; <paramref name="time"/> runs the delay.
    /// While fewer than <paramref name="eagerCalls"/> model calls run (null: one per core), a request goes without
    /// waiting; 0 makes every batch wait until it is full or its delay has passed (Triton's behaviour).
    /// </summary>
    public DynamicBatcher(IModelRuntime runtime, BatchingPolicy policy, TimeProvider time, int? eagerCalls = null)
    {
        _runtime = runtime;
        _maxRows = policy.MaxBatchRows;
        _maxDelay = policy.MaxDelay;
        _eagerCalls = eagerCalls ?? Environment.ProcessorCount;
        _timer = time.CreateTimer(static state => ((DynamicBatcher)state!).OnDelayElapsed(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Model calls made so far (a request scored alone counts as one).</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Requests answered through the batcher.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Rows scored through the batcher.</summary>
    public long Rows => Interlocked.Read(ref _rows);

    /// <summary>
    /// Scores <paramref name="batch"/>, together with whatever other requests are waiting or arrive within the delay.
    /// <paramref name="cancellationToken"/> stops this caller's wait only; the model call may still happen for the others.
    /// </summary>
    public ValueTask<InferenceResult> PredictAsync(InferenceBatch batch, IReadOnlyList<string>? outputs, CancellationToken cancellationToken)
    {
        if (batch.Rows >= _maxRows || _unsplittable)
        {
            var result = _runtime.Predict(batch, outputs);
            Count(1, 1, batch.Rows);
            return ValueTask.FromResult(result);
        }

        cancellationToken.ThrowIfCancellationRequested();
        bool alone;
        lock (_gate)
        {
            // The common case under light load: nothing waiting and a worker idle, so no one to wait for.
            alone = _pending.Count == 0 && _running < _eagerCalls;
            if (alone)
            {
                _running++;
            }
        }

        if (alone)
        {
            try
            {
                var result = _runtime.Predict(batch, outputs);
                Count(1, 1, batch.Rows);
                return ValueTask.FromResult(result);
            }
            finally
            {
                Finished();
            }
        }

        return Enqueue(new PendingRequest(batch, outputs), cancellationToken);
    }

    private ValueTask<InferenceResult> Enqueue(PendingRequest request, CancellationToken cancellationToken)
    {
        List<PendingRequest>? before = null;
        List<PendingRequest>? now = null;
        lock (_gate)
        {
            // A request that would overflow the batch, or that cannot share its model call, sends the batch on and starts the next.
            if (_pending.Count > 0 && (_pendingRows + request.Batch.Rows > _maxRows || !BatchAssembly.CanJoin(_pending[0], request)))
            {
                before = TakeLocked();
            }

            _pending.Add(request);
            _pendingRows += request.Batch.Rows;
            if (_pendingRows >= _maxRows || _running + (before is null ? 0 : 1) < _eagerCalls)
            {
                now = TakeLocked();
                _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
            else if (_pending.Count == 1)
            {
                _timer.Change(_maxDelay, Timeout.InfiniteTimeSpan);
            }

            _running += (before is null ? 0 : 1) + (now is null ? 0 : 1);
        }

        if (before is not null)
        {
            Run(before);
        }

        if (now is not null)
        {
            Run(now);
        }
        else
        {
            request.WatchCancellation(cancellationToken);
        }

        return new ValueTask<InferenceResult>(request.Task);
    }

    /// <summary>Stops the timer; requests still waiting are scored now.</summary>
    public void Dispose()
    {
        _timer.Dispose();
        OnDelayElapsed();
    }

    private void OnDelayElapsed()
    {
        List<PendingRequest> batch;
        lock (_gate)
        {
            if (_pending.Count == 0)
            {
                return;
            }

            // The first request has waited long enough: it goes even though every worker is busy.
            batch = TakeLocked();
            _running++;
        }

        Run(batch);
    }

    /// <summary>Scores a batch taken from the queue (a worker already counted for it), then frees the worker.</summary>
    private void Run(List<PendingRequest> batch)
    {
        try
        {
            Execute(batch);
        }
        finally
        {
            Finished();
        }
    }

    /// <summary>
    /// A worker is free: what gathered while every worker was busy goes now, on a pool thread, so this thread
    /// can answer its own caller instead of scoring the next batch first.
    /// </summary>
    private void Finished()
    {
        List<PendingRequest>? next = null;
        lock (_gate)
        {
            _running--;
            if (_pending.Count > 0 && _running < _eagerCalls)
            {
                next = TakeLocked();
                _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _running++;
            }
        }

        if (next is not null)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static state => state.Batcher.Run(state.Batch), (Batcher: this, Batch: next), preferLocal: false);
        }
    }

    private List<PendingRequest> TakeLocked()
    {
        var taken = _pending;
        _pending = [];
        _pendingRows = 0;
        return taken;
    }

    private void Execute(List<PendingRequest> batch)
    {
        batch.RemoveAll(static r => r.IsSettled);
        if (batch.Count == 0)
        {
            return;
        }

        if (batch.Count == 1)
        {
            ScoreAlone(batch[0]);
            return;
        }

        var rows = 0;
        foreach (var request in batch)
        {
            rows += request.Batch.Rows;
        }

        InferenceResult combined;
        try
        {
            combined = _runtime.Predict(BatchAssembly.Concatenate(batch, rows), batch[0].Outputs);
        }
        catch (Exception)
        {
            // Find out whose rows the model refused: each request on its own gets its own answer or error.
            foreach (var request in batch)
            {
                ScoreAlone(request);
            }

            return;
        }

        if (!BatchAssembly.TrySplit(combined, batch, rows))
        {
            // A model whose outputs are not one per row cannot be batched; from now on every request goes alone.
            _unsplittable = true;
            foreach (var request in batch)
            {
                ScoreAlone(request);
            }

            return;
        }

        Count(1, batch.Count, rows);
    }

    private void ScoreAlone(PendingRequest request)
    {
        try
        {
            request.Complete(_runtime.Predict(request.Batch, request.Outputs));
            Count(1, 1, request.Batch.Rows);
        }
        catch (Exception e)
        {
            request.Fail(e);
        }
    }

    private void Count(int batches, int requests, int rows)
    {
        Interlocked.Add(ref _batches, batches);
        Interlocked.Add(ref _requests, requests);
        Interlocked.Add(ref _rows, rows);
    }
}
