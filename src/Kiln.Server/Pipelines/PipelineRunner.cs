using System.Collections.Concurrent;
using Kiln.Core.Pipelines;
using Kiln.Pipelines.Execution;
using Kiln.Server.Configuration;
using Kiln.Server.Storage;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Pipelines;

/// <summary>
/// Runs pipeline runs on this replica: every poll it claims queued runs and runs whose owner went silent, up to
/// <see cref="PipelineOptions.MaxConcurrentRuns"/> at once, and runs each to its end on the engine. A run created on
/// this replica is picked up at once. Any replica may run any run; the claim makes one of them do it.
/// </summary>
internal sealed partial class PipelineRunner : BackgroundService
{
    private readonly IPipelineStore _store;
    private readonly PipelineRunExecutor _engine;
    private readonly ReplicaIdentity _replica;
    private readonly TimeProvider _time;
    private readonly PipelineOptions _options;
    private readonly ILogger<PipelineRunner> _logger;
    private readonly ConcurrentDictionary<string, Task> _running = new();
    private readonly SemaphoreSlim _wake = new(0);

    public PipelineRunner(IPipelineStore store, PipelineRunExecutor engine, PipelineRunStarter starter, ReplicaIdentity replica, TimeProvider time,
        IOptions<KilnOptions> options, ILogger<PipelineRunner> logger)
    {
        _store = store;
        _engine = engine;
        _replica = replica;
        _time = time;
        _options = options.Value.Pipelines;
        _logger = logger;
        starter.RunCreated += _ => _wake.Release();
    }

    /// <summary>The runs this replica is running now.</summary>
    public IReadOnlyCollection<string> Running => _running.Keys.ToList();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await ClaimAsync(stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    LogPollFailed(e); // a locked or unreachable database: try again at the next poll
                }

                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(_options.PollInterval);
                try
                {
                    await _wake.WaitAsync(timeout.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // the poll interval passed
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
        finally
        {
            await Task.WhenAll(_running.Values);
        }
    }

    private async Task ClaimAsync(CancellationToken stoppingToken)
    {
        var free = _options.MaxConcurrentRuns - _running.Count;
        if (free <= 0)
        {
            return;
        }

        var now = _time.GetUtcNow();
        foreach (var run in await _store.ListOrphanedRunsAsync(now - _options.OwnerTimeout, free + _running.Count, stoppingToken))
        {
            if (_running.Count >= _options.MaxConcurrentRuns)
            {
                return;
            }

            if (_running.ContainsKey(run.Id) || !await _store.TryClaimRunAsync(run.Id, _replica.Name, now, now - _options.OwnerTimeout, stoppingToken))
            {
                continue;
            }

            LogClaimed(run.Id, run.Pipeline, run.Status);
            _running[run.Id] = RunAsync(run.Id, stoppingToken);
        }
    }

    private async Task RunAsync(string runId, CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            await _engine.RunAsync(runId, _replica.Name, stoppingToken);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // The run stays claimed until its heartbeat is stale; then this or another replica resumes it.
            LogRunCrashed(e, runId);
        }
        catch (OperationCanceledException)
        {
            // shutting down: whoever takes the run over finds its running steps interrupted
        }
        finally
        {
            _running.TryRemove(runId, out _);
            _wake.Release();
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Running pipeline run {RunId} ({Pipeline}, was {Status})")]
    private partial void LogClaimed(string runId, string pipeline, PipelineRunStatus status);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Looking for pipeline runs to run failed; trying again at the next poll")]
    private partial void LogPollFailed(Exception exception);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Error, Message = "Pipeline run {RunId} stopped on an error; it is resumed once its owner times out")]
    private partial void LogRunCrashed(Exception exception, string runId);
}
