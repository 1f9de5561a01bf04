using System.Diagnostics;
using Kiln.Core.Monitoring;

namespace Kiln.LogIngest;

/// <summary>Times every <see cref="IPredictionLogStore.AppendAsync"/> of the store it wraps: the writer's time in the store versus outside it (encoding, channel reads).</summary>
public sealed class TimedStore(IPredictionLogStore inner) : IPredictionLogStore
{
    private long _ticks;
    private long _maxTicks;

    /// <summary>Total time spent appending.</summary>
    public TimeSpan Total => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks));

    /// <summary>The slowest single append (one batch).</summary>
    public TimeSpan Slowest => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _maxTicks));

    public async Task AppendAsync(IReadOnlyList<LoggedRequest> requests, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await inner.AppendAsync(requests, cancellationToken);
        var ticks = Stopwatch.GetTimestamp() - started;
        Interlocked.Add(ref _ticks, ticks);
        if (ticks > _maxTicks)
        {
            _maxTicks = ticks;
        }
    }

    public IAsyncEnumerable<PredictionRow> QueryAsync(PredictionQuery query, CancellationToken cancellationToken) => inner.QueryAsync(query, cancellationToken);

    public Task<long> CountAsync(PredictionQuery query, CancellationToken cancellationToken) => inner.CountAsync(query, cancellationToken);

    public Task<long> ApplyRetentionAsync(DateTimeOffset olderThan, long maxRows, CancellationToken cancellationToken) => inner.ApplyRetentionAsync(olderThan, maxRows, cancellationToken);
}

/// <summary>A store that keeps nothing but a count: what the writer costs without SQLite.</summary>
public sealed class NoopStore : IPredictionLogStore
{
    private long _rows;

    public long Rows => Interlocked.Read(ref _rows);

    public Task AppendAsync(IReadOnlyList<LoggedRequest> requests, CancellationToken cancellationToken)
    {
        Interlocked.Add(ref _rows, requests.Sum(r => (long)r.Rows));
        return Task.CompletedTask;
    }

    public IAsyncEnumerable<PredictionRow> QueryAsync(PredictionQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<long> CountAsync(PredictionQuery query, CancellationToken cancellationToken) => Task.FromResult(Rows);

    public Task<long> ApplyRetentionAsync(DateTimeOffset olderThan, long maxRows, CancellationToken cancellationToken) => Task.FromResult(0L);
}
