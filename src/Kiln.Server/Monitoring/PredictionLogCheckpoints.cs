using System.Security.Cryptography;
using Kiln.Core.Monitoring;
using Kiln.Monitoring.Metrics;
using Kiln.Monitoring.PredictionLog;
using Kiln.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Monitoring;

/// <summary>
/// Writes this process's prediction-log counters to the journal whenever they moved, at most every
/// <c>Kiln:Monitoring:CheckpointInterval</c> (100 ms), and once a second when idle; and finds processes that stopped
/// checkpointing for 5 s without a clean stop: their rows acknowledged but not stored at their last checkpoint are
/// reported as lost (a warning, <c>kiln_prediction_log_lost_total</c>, and the crashes in
/// <c>GET /api/monitoring/prediction-log</c>). What a crashed process accepted after its last checkpoint, at most one
/// interval of traffic, is not in the count; a batch it stored after its last checkpoint is counted although it was kept. Times are wall-clock (process liveness), never the injected clock tests move.
/// </summary>
internal sealed partial class PredictionLogCheckpoints
{
    /// <summary>How often a session checkpoints when nothing moved, to show it is alive.</summary>
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(1);

    /// <summary>How long without a checkpoint makes a session dead: five missed heartbeats.</summary>
    private static readonly TimeSpan Silence = TimeSpan.FromSeconds(5);

    private readonly PredictionLogQueue _queue;
    private readonly PredictionLogWriter _writer;
    private readonly IPredictionLogJournal _journal;
    private readonly TimeProvider _time;
    private readonly ILogger<PredictionLogCheckpoints> _logger;
    private readonly Counter _lost;
    private readonly string _session = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
    private readonly string _replica;
    private readonly TimeSpan _interval;
    private DateTimeOffset _startedAt;

    public PredictionLogCheckpoints(
        PredictionLogQueue queue, PredictionLogWriter writer, IPredictionLogJournal journal, MetricsRegistry metrics,
        Storage.ReplicaIdentity replica, IOptions<KilnOptions> options, ILogger<PredictionLogCheckpoints> logger)
    {
        _queue = queue;
        _writer = writer;
        _journal = journal;
        _time = TimeProvider.System;
        _logger = logger;
        _replica = replica.Name;
        _interval = options.Value.Monitoring.CheckpointInterval;
        _lost = metrics.CreateCounter("kiln_prediction_log_lost_total", "Prediction-log rows acknowledged but never stored by processes that crashed, as found by this one.");
    }

    /// <summary>Checkpoints until <paramref name="stopping"/> fires, claiming dead sessions as it goes. Never throws.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        _startedAt = _time.GetUtcNow();
        using var timer = new PeriodicTimer(_interval, _time);
        PredictionLogSession? last = null;
        var lastClaim = DateTimeOffset.MinValue;
        do
        {
            try
            {
                var now = _time.GetUtcNow();
                var current = Snapshot();
                if (last is null || Moved(last, current) || now - last.CheckpointAt >= Heartbeat)
                {
                    await _journal.CheckpointAsync(current, stopping);
                    last = current;
                }

                if (now - lastClaim >= Heartbeat)
                {
                    lastClaim = now;
                    await ClaimCrashedAsync(now, stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogCheckpointFailed(e);
            }
        }
        while (await WaitAsync(timer, stopping));
    }

    /// <summary>Records the clean end, with the final counters, once the writer has drained the queue.</summary>
    public async Task EndAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _journal.EndAsync(Snapshot(), _time.GetUtcNow(), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogCheckpointFailed(e);
        }
    }

    private async Task ClaimCrashedAsync(DateTimeOffset now, CancellationToken stopping)
    {
        foreach (var crashed in await _journal.ClaimCrashedAsync(now - Silence, now, stopping))
        {
            _lost.Add(crashed.InFlight);
            LogCrash(crashed.Replica, crashed.StartedAt, crashed.CheckpointAt, crashed.InFlight, crashed.Dropped, _interval);
        }
    }

    private static bool Moved(PredictionLogSession before, PredictionLogSession now) =>
        (before.Accepted, before.Written, before.Dropped, before.Failed) != (now.Accepted, now.Written, now.Dropped, now.Failed);

    private PredictionLogSession Snapshot()
    {
        // Stored counts first: whatever is accepted meanwhile only makes the in-flight count larger, never negative.
        var written = _writer.WrittenRows;
        var failed = _writer.FailedRows;
        return new PredictionLogSession(_session, _replica, _startedAt, _time.GetUtcNow(), _queue.AcceptedRows, written, _queue.DroppedRows, failed);
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stopping)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stopping);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 5104, Level = LogLevel.Warning,
        Message = "Prediction log: replica {Replica} (started {StartedAt:u}) stopped without a clean shutdown; {Lost} rows it had acknowledged were not yet stored at its last checkpoint ({CheckpointAt:u}) and are lost ({Dropped} more were dropped earlier because its queue was full). Rows it accepted after that checkpoint, at most {Interval} of traffic, are not counted.")]
    private partial void LogCrash(string replica, DateTimeOffset startedAt, DateTimeOffset checkpointAt, long lost, long dropped, TimeSpan interval);

    [LoggerMessage(EventId = 5105, Level = LogLevel.Warning, Message = "Prediction-log checkpoint failed")]
    private partial void LogCheckpointFailed(Exception exception);
}
