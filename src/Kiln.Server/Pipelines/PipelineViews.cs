using System.Text.Json.Nodes;
using Kiln.Core.Api;
using Kiln.Core.Pipelines;
using Kiln.Pipelines.Definitions;

namespace Kiln.Server.Pipelines;

/// <summary>Pipelines, runs and steps as the API shows them.</summary>
internal static class PipelineViews
{
    public static PipelineSummary Summary(PipelineVersionRecord version, PipelineDefinition definition, PipelineRunRecord? lastRun, DateTimeOffset now) => new(
        version.Pipeline,
        version.Version,
        definition.Description,
        version.CreatedAt,
        definition.Triggers.Select(t => new PipelineTriggerInfo(t.Kind, t.Describe(), (t as CronTrigger)?.NextAfter(now))).ToList(),
        definition.Steps.Select(s => new PipelineStepInfo(s.Name, s.Kind, s.Needs, s.If?.Text)).ToList(),
        lastRun is null ? null : Run(lastRun));

    public static PipelineRunSummary Run(PipelineRunRecord run) => new(run.Id, run.Pipeline, run.Version, run.Status, run.TriggerKind, run.TriggerReason,
        run.CreatedAt, run.StartedAt, run.FinishedAt, run.Error, run.Attempt, run.StartedBy);

    public static PipelineRunDetail Detail(PipelineRunRecord run, IReadOnlyList<PipelineStepRecord> steps, PipelineDefinition? definition) => new(
        Run(run),
        Object(run.ParametersJson) ?? [],
        Object(run.TriggerJson) ?? [],
        steps.Select(s => new PipelineStepView(s.Step, s.Kind, s.Status,
            definition?.Steps.FirstOrDefault(d => d.Name == s.Step)?.Needs ?? [],
            s.Attempt, s.StartedAt, s.FinishedAt, s.NextAttemptAt, Object(s.InputsJson), Object(s.OutputsJson), s.Error, s.CachedFrom, Object(s.DecisionJson))).ToList());

    public static PipelineFileProblem Problem(PipelineProblem problem) => new(problem.Position.Line, problem.Position.Column, problem.Path, problem.Message);

    private static JsonObject? Object(string? json) => json is null ? null : JsonNode.Parse(json) as JsonObject;
}
