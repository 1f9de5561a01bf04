using Kiln.Core.Deployments;
using Kiln.Core.Tensors;
using Kiln.Inference.Runtime;

namespace Kiln.Inference.Batching;

/// <summary>
/// Dynamic batching for one served variant (Triton's semantics): requests that arrive together are scored in
/// one model call. The first request of a batch waits at most the policy's delay for others; the batch goes as
/// soon as it holds the policy's row limit. Each caller gets exactly its own rows back; a caller that stops
/// waiting is left out; a model call that fails is retried request by request, so one caller's bad input
/// never fails another's. A request as large as the limit is scored alone, straight away.
/// </summary>
/// <remarks>
/// Batches run on the thread that fills them or on the timer's thread pool thread, several at once when the
/// load calls for it (the runtimes are thread-safe). The timer counts whole milliseconds on .NET's timer queue,
/// so a delay under 1 ms means "as soon as a pool thread is free", still gathering whatever arrived meanwhile.
/// </remarks>
public sealed class DynamicBatcher : IDisposable
{
    private readonly IModelRuntime _runtime;
    private readonly int _maxRows;
    private readonly TimeSpan _maxDelay;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private List<PendingRequest> _pending = [];
    private int _pendingRows;
    private long _batches;
    private long _requests;
    private long _rows;
    private volatile bool _unsplittable;

    /// <summary>Batches calls to <paramref name="runtime"/> by <paramref name="policy"/>; <paramref name="time"/> runs the delay.</summary>
    public DynamicBatcher(IModelRuntime runtime, BatchingPolicy policy, TimeProvider time)
    {
        _runtime = runtime;
        _maxRows = policy.MaxBatchRows;
        _maxDelay = policy.MaxDelay;
        _timer = time.CreateTimer(static state => ((DynamicBatcher)state!).OnDelayElapsed(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Model calls made so far for batched requests (a request scored alone counts as one).</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Requests answered through the batcher.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Rows scored through the batcher.</summary>
    public long Rows => Interlocked.Read(ref _rows);

    /// <summary>
    /// Scores <paramref name="batch"/>, together with whatever other requests arrive within the delay.
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
        var request = new PendingRequest(batch, outputs);
        List<PendingRequest>? before = null;
        List<PendingRequest>? full = null;
        lock (_gate)
        {
            // A request that would overflow the batch, or that cannot share its model call, sends the batch on and starts the next.
            if (_pending.Count > 0 && (_pendingRows + batch.Rows > _maxRows || !BatchAssembly.CanJoin(_pending[0], request)))
            {
                before = TakeLocked();
            }

            _pending.Add(request);
            _pendingRows += batch.Rows;
            if (_pendingRows >= _maxRows)
            {
                full = TakeLocked();
                _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
            else if (_pending.Count == 1)
            {
                _timer.Change(_maxDelay, Timeout.InfiniteTimeSpan);
            }
        }

        if (before is not null)
        {
            Execute(before);
        }

        if (full is not null)
        {
            Execute(full);
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

            batch = TakeLocked();
        }

        Execute(batch);
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
