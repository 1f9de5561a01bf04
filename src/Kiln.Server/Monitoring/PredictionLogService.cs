using Kiln.Core.Monitoring;
using Kiln.Monitoring.Metrics;
using Kiln.Monitoring.PredictionLog;
using Kiln.Server.Cluster;
using Kiln.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Monitoring;

/// <summary>
/// Runs the prediction-log writer for the server's lifetime and applies retention on a schedule.
/// The queue is closed only once the web server has stopped (after in-flight requests finished),
/// and the writer then drains it, so a graceful shutdown loses nothing that was accepted; the journal then records the
/// clean end (<see cref="PredictionLogCheckpoints"/>), so only a crash is ever reported as a loss.
/// </summary>
internal sealed partial class PredictionLogService(
    PredictionLogQueue queue,
    PredictionLogWriter writer,
    PredictionLogCheckpoints checkpoints,
    MetricsRegistry metrics,
    IPredictionLogStore store,
    LeaderLease lease,
    IOptions<KilnOptions> options,
    TimeProvider time,
    ILogger<PredictionLogService> logger) : IHostedLifecycleService
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _writer;
    private Task? _retention;
    private Task? _checkpoints;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.RegisterCallbackGauge("kiln_prediction_log_queue_depth", "Prediction-log rows waiting for the writer.", () => queue.QueuedRows);
        metrics.RegisterCallbackGauge("kiln_prediction_log_queue_capacity", "The most prediction-log rows that may wait; beyond it records are dropped.", () => queue.CapacityRows);
        metrics.RegisterCallbackCounter("kiln_prediction_log_written_total", "Prediction-log rows stored.", () => writer.WrittenRows);
        metrics.RegisterCallbackCounter("kiln_prediction_log_dropped_total", "Prediction-log rows dropped because the queue was full.", () => queue.DroppedRows);
        metrics.RegisterCallbackCounter("kiln_prediction_log_failed_total", "Prediction-log rows the store refused after retries.", () => writer.FailedRows);
        metrics.RegisterCallbackCounter("kiln_prediction_log_batches_total", "Prediction-log transactions committed.", () => writer.Batches);
        _writer = Task.Run(writer.RunAsync, CancellationToken.None);
        _retention = Task.Run(() => RetainAsync(_stopping.Token), CancellationToken.None);
        _checkpoints = Task.Run(() => checkpoints.RunAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        queue.Complete();
        if (_writer is not null)
        {
            await _writer.WaitAsync(cancellationToken);
            LogDrained(writer.WrittenRows, queue.DroppedRows);
        }

        if (_retention is not null)
        {
            await _retention;
        }

        if (_checkpoints is not null)
        {
            await _checkpoints;
            await checkpoints.EndAsync(cancellationToken);
        }
    }

    private async Task RetainAsync(CancellationToken cancellationToken)
    {
        var monitoring = options.Value.Monitoring;
        using var timer = new PeriodicTimer(monitoring.RetentionInterval, time);
        await SingletonJob.RunAsync(lease, timer, runAtStart: false, ApplyRetentionAsync, LogRetentionFailed, cancellationToken);
    }

    private async Task ApplyRetentionAsync(CancellationToken cancellationToken)
    {
        var monitoring = options.Value.Monitoring;
        var removed = await store.ApplyRetentionAsync(time.GetUtcNow() - monitoring.RetentionAge, monitoring.RetentionRows, cancellationToken);
        if (removed > 0)
        {
            LogRetention(removed);
        }
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Prediction log drained: {Rows} rows written since start, {Dropped} dropped")]
    private partial void LogDrained(long rows, long dropped);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Information, Message = "Prediction-log retention removed {Rows} rows")]
    private partial void LogRetention(long rows);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "Prediction-log retention failed")]
    private partial void LogRetentionFailed(Exception exception);
}
