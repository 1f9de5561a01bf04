using System.Threading.Channels;
using Kiln.Core.Monitoring;
using Kiln.Core.Tensors;
using Kiln.Inference.Serving;
using Kiln.Monitoring.Metrics;
using Kiln.Monitoring.PredictionLog;
using Kiln.Monitoring.Shadow;
using Kiln.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Rollouts;

/// <summary>
/// Mirrors live requests to shadow variants off the request path: the request hands its decoded batch
/// and the primary's result to a bounded queue (dropped and counted when full, never waited for); one
/// background worker scores the shadow, compares its answers with the primary's, and logs the shadow's
/// predictions under its own variant name. A shadow's answer is never returned.
/// </summary>
internal sealed partial class ShadowDispatcher : IHostedService
{
    private const int Capacity = 1000;

    private readonly Channel<Job> _jobs = Channel.CreateBounded<Job>(new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly ShadowAgreement _agreement;
    private readonly PredictionLogQueue _log;
    private readonly TimeProvider _time;
    private readonly bool _logPredictions;
    private readonly ILogger<ShadowDispatcher> _logger;
    private readonly Counter _scored;
    private readonly Counter _dropped;
    private readonly Counter _failed;
    private Task? _worker;

    public ShadowDispatcher(ShadowAgreement agreement, PredictionLogQueue log, MetricsRegistry metrics, TimeProvider time, IOptions<KilnOptions> options, ILogger<ShadowDispatcher> logger)
    {
        _agreement = agreement;
        _log = log;
        _time = time;
        _logPredictions = options.Value.Monitoring.PredictionLog;
        _logger = logger;
        var family = metrics.CreateCounterFamily("kiln_shadow_requests_total", "Requests mirrored to shadow variants, by outcome (scored, dropped: queue full, failed).", "outcome");
        _scored = family.WithLabels("scored");
        _dropped = family.WithLabels("dropped");
        _failed = family.WithLabels("failed");
    }

    /// <summary>Copies a scored request to each shadow of its revision that samples it.</summary>
    public void Mirror(ModelLease primary, string requestId, InferenceBatch batch, InferenceResult result)
    {
        foreach (var shadow in primary.Served.Shadows)
        {
            if (!PredictionLogQueue.Sample(shadow.Variant.ShadowSample) || !DeploymentTable.TryLeaseShadow(primary.Served, shadow, out var lease))
            {
                continue;
            }

            if (!_jobs.Writer.TryWrite(new Job(lease, requestId, batch, result, primary.Model.Runtime.Signature)))
            {
                lease.Dispose();
                _dropped.Increment();
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _worker = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _jobs.Writer.TryComplete();
        if (_worker is not null)
        {
            await _worker.WaitAsync(cancellationToken);
        }
    }

    private async Task RunAsync()
    {
        await foreach (var job in _jobs.Reader.ReadAllAsync())
        {
            using var lease = job.Shadow;
            try
            {
                var model = lease.Model;
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var shadow = lease.Runtime.Predict(job.Batch, null);
                var rows = job.Batch.Rows;
                _agreement.Record(lease.Deployment.Name, model.ModelName, model.Version, job.Primary, shadow, rows);
                if (_logPredictions && PredictionLogQueue.Sample(lease.Deployment.LogSampleRate))
                {
                    _log.TryEnqueue(new PredictionRecord(
                        job.RequestId, lease.Deployment.Name, lease.Variant.Name, model.ModelName, model.Version, _time.GetUtcNow(),
                        System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, job.Batch, shadow, model.Runtime.Signature));
                }

                _scored.Increment();
            }
            catch (Exception e)
            {
                // A shadow that cannot score (an incompatible signature, a bug in the candidate) must never touch live traffic.
                _failed.Increment();
                LogShadowFailed(e, lease.Deployment.Name, lease.Model.ModelName, lease.Model.Version);
            }
        }
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Shadow {Model}/{Version} of {Deployment} failed to score a mirrored request")]
    private partial void LogShadowFailed(Exception exception, string deployment, string model, int version);

    private sealed record Job(ModelLease Shadow, string RequestId, InferenceBatch Batch, InferenceResult Primary, Core.Packaging.ModelSignature PrimarySignature);
}
