using Kiln.Core.Monitoring.Alerts;
using Kiln.Inference.Serving;
using Kiln.Monitoring.Rollouts;
using Kiln.Server.Cluster;

namespace Kiln.Server.Rollouts;

/// <summary>
/// Runs the automated canary analysis on a schedule (from the injected <see cref="TimeProvider"/>, so tests
/// drive a whole rollout in milliseconds): each running canary is judged and advanced, promoted or rolled
/// back, every decision recorded as a revision with its reason and published on the alert event stream.
/// </summary>
internal sealed partial class CanaryController(
    DeploymentTable table, DeploymentManager manager, CanaryAnalyzer analyzer, IAlertEventStream events, LeaderLease lease, TimeProvider time, ILogger<CanaryController> logger) : BackgroundService
{
    public const string Actor = "kiln-canary-analysis";

    /// <summary>How often canaries are judged.</summary>
    public static TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

    // Runs are serialized: the timer's run and a direct call (tests, or ticks that queued up) must not both judge
    // the same step from the same snapshot and step it twice.
    private readonly SemaphoreSlim _running = new(1, 1);
    private PeriodicTimer? _timer;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = new PeriodicTimer(Interval, time);
        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _timer?.Dispose();
        _running.Dispose();
        base.Dispose();
    }

    /// <summary>Judges every automated canary once and acts on the decisions.</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await _running.WaitAsync(cancellationToken);
        try
        {
            await JudgeAllAsync(cancellationToken);
        }
        finally
        {
            _running.Release();
        }
    }

    private async Task JudgeAllAsync(CancellationToken cancellationToken)
    {
        manager.ReleaseExpired();
        foreach (var served in table.Entries.ToArray())
        {
            var deployment = served.Deployment;
            if (deployment.Canary is not { Automatic: true } rollout)
            {
                continue;
            }

            try
            {
                var (decision, primary, canary) = await analyzer.AnalyzeAsync(deployment, cancellationToken);
                var name = deployment.Name;
                switch (decision.Verdict)
                {
                    case CanaryVerdict.Advance:
                        await manager.StepCanaryAsync(name, rollout.Step + 1, decision.Reason, Actor, cancellationToken);
                        Publish("canary.advanced", name, $"Canary {canary.ModelName}/{canary.ModelVersion} advanced to step {rollout.Step + 2}", decision.Reason);
                        break;
                    case CanaryVerdict.Complete:
                        await manager.PromoteCanaryAsync(name, decision.Reason, Actor, cancellationToken);
                        Publish("canary.promoted", name, $"Canary {canary.ModelName}/{canary.ModelVersion} promoted over {primary.ModelName}/{primary.ModelVersion}", decision.Reason);
                        break;
                    case CanaryVerdict.Rollback:
                        await manager.AbortCanaryAsync(name, decision.Reason, Actor, cancellationToken, change: "canary_rollback");
                        Publish("canary.rolled_back", name, $"Canary {canary.ModelName}/{canary.ModelVersion} rolled back", decision.Reason);
                        break;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogAnalysisFailed(e, deployment.Name);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var timer = _timer ?? throw new InvalidOperationException("The controller was not started.");
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                // One replica judges canaries (the lease holder); the others serve what it decides.
                if (lease.IsHeld)
                {
                    await RunOnceAsync(stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private void Publish(string kind, string deployment, string summary, string reason)
    {
        LogDecision(deployment, summary, reason);
        events.Publish(new AlertEvent(kind, deployment, summary, new Dictionary<string, string> { ["deployment"] = deployment, ["kind"] = kind }, time.GetUtcNow())
        {
            Description = reason,
        });
    }

    [LoggerMessage(EventId = 6101, Level = LogLevel.Information, Message = "{Deployment}: {Summary} — {Reason}")]
    private partial void LogDecision(string deployment, string summary, string reason);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Error, Message = "Canary analysis of {Deployment} failed; it is tried again at the next interval")]
    private partial void LogAnalysisFailed(Exception exception, string deployment);
}
