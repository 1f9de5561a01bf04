using System.Text.Json.Nodes;
using Kiln.Core.Pipelines;
using Kiln.Pipelines.Execution;
using Kiln.Pipelines.Triggers;

namespace Kiln.Server.Pipelines;

/// <summary>Starts the runs an event triggers: for every pipeline whose latest version has a matching trigger, one run.</summary>
internal sealed partial class PipelineTriggerDispatcher(IPipelineStore store, PipelineDefinitions definitions, PipelineRunStarter starter, ILogger<PipelineTriggerDispatcher> logger)
{
    public async Task<IReadOnlyList<PipelineRunRecord>> DispatchAsync(TriggerEvent happened, CancellationToken cancellationToken)
    {
        var started = new List<PipelineRunRecord>();
        foreach (var version in await store.ListLatestAsync(cancellationToken))
        {
            try
            {
                var definition = await definitions.GetAsync(version.Pipeline, version.Version, cancellationToken);
                foreach (var trigger in TriggerMatcher.Match(definition, happened))
                {
                    if (await starter.StartAsync(version.Pipeline, version.Version, trigger, new Dictionary<string, JsonNode?>(), null, cancellationToken) is { } run)
                    {
                        LogStarted(run.Id, version.Pipeline, trigger.Reason);
                        started.Add(run);
                    }
                }
            }
            catch (Kiln.Core.KilnException e)
            {
                LogStartRefused(version.Pipeline, e.Message);
            }
        }

        return started;
    }

    [LoggerMessage(EventId = 4121, Level = LogLevel.Information, Message = "Started pipeline run {RunId} of {Pipeline}: {Reason}")]
    private partial void LogStarted(string runId, string pipeline, string reason);

    [LoggerMessage(EventId = 4122, Level = LogLevel.Error, Message = "A triggered run of {Pipeline} could not start: {Problem}")]
    private partial void LogStartRefused(string pipeline, string problem);
}
