using System.Text.Json.Nodes;
using Kiln.Core.Pipelines;
using Kiln.Pipelines.Definitions;
using Kiln.Pipelines.Execution;
using Kiln.Pipelines.Triggers;
using Kiln.Server.Cluster;
using Kiln.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Pipelines;

/// <summary>
/// Starts the runs of cron triggers, on the replica holding the singleton lease, every
/// <see cref="PipelineOptions.ScheduleInterval"/>. Each fire time is the run's trigger key, so a lease changing
/// hands (two holders for a moment) still starts it once.
/// </summary>
internal sealed partial class PipelineScheduler(IPipelineStore store, PipelineDefinitions definitions, PipelineRunStarter starter, LeaderLease lease,
    TimeProvider time, IOptions<KilnOptions> options, ILogger<PipelineScheduler> logger) : BackgroundService
{
    private PeriodicTimer? _timer;

    private PipelineOptions Options => options.Value.Pipelines;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = new PeriodicTimer(Options.ScheduleInterval, time);
        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _timer?.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Options.Enabled
        ? SingletonJob.RunAsync(
            lease,
            _timer ?? throw new InvalidOperationException("The service was not started."),
            runAtStart: true,
            cancellationToken => TickAsync(time.GetUtcNow(), cancellationToken),
            LogTickFailed,
            stoppingToken)
        : Task.CompletedTask;

    /// <summary>Starts every cron run due at <paramref name="now"/>.</summary>
    public async Task TickAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var version in await store.ListLatestAsync(cancellationToken))
        {
            PipelineDefinition definition;
            try
            {
                definition = await definitions.GetAsync(version.Pipeline, version.Version, cancellationToken);
            }
            catch (Kiln.Core.KilnException e)
            {
                LogUnreadable(version.Pipeline, e.Message);
                continue;
            }

            var notBefore = version.CreatedAt > now - Options.MisfireGrace ? version.CreatedAt : now - Options.MisfireGrace;
            foreach (var trigger in definition.Triggers.OfType<CronTrigger>())
            {
                if (CronFires.Due(trigger, notBefore, now) is not { } fire)
                {
                    continue;
                }

                var values = new JsonObject { ["scheduled_at"] = fire.UtcDateTime.ToString("O") };
                var reason = $"{trigger.Describe()} at {fire.UtcDateTime:yyyy-MM-dd HH:mm} UTC";
                try
                {
                    if (await starter.StartAsync(version.Pipeline, version.Version, new RunTrigger("cron", reason, CronFires.Key(trigger, fire), values, trigger.Parameters),
                            new Dictionary<string, JsonNode?>(), null, cancellationToken) is { } run)
                    {
                        LogStarted(run.Id, version.Pipeline, reason);
                    }
                }
                catch (Kiln.Core.KilnException e)
                {
                    LogStartRefused(version.Pipeline, e.Message);
                }
            }
        }
    }

    [LoggerMessage(EventId = 4111, Level = LogLevel.Information, Message = "Started pipeline run {RunId} of {Pipeline}: {Reason}")]
    private partial void LogStarted(string runId, string pipeline, string reason);

    [LoggerMessage(EventId = 4112, Level = LogLevel.Error, Message = "A scheduled run of {Pipeline} could not start: {Problem}")]
    private partial void LogStartRefused(string pipeline, string problem);

    [LoggerMessage(EventId = 4113, Level = LogLevel.Error, Message = "Pipeline {Pipeline} no longer reads on this server: {Problem}")]
    private partial void LogUnreadable(string pipeline, string problem);

    [LoggerMessage(EventId = 4114, Level = LogLevel.Error, Message = "Checking the pipeline schedules failed; trying again at the next interval")]
    private partial void LogTickFailed(Exception exception);
}
