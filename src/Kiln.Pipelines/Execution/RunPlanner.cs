using Kiln.Core.Pipelines;
using Kiln.Pipelines.Definitions;

namespace Kiln.Pipelines.Execution;

/// <summary>
/// The rules of a run, without side effects: which steps may start, which will never run, and how the run ends.
/// A step starts when every step it needs has succeeded (or was served from the cache); it is skipped when one of
/// them failed, was cancelled or was skipped.
/// </summary>
public static class RunPlanner
{
    /// <summary>Pending steps whose needs have all succeeded, and retrying steps whose next attempt is due, in file order.</summary>
    public static IReadOnlyList<StepDefinition> Ready(PipelineDefinition definition, IReadOnlyDictionary<string, PipelineStepRecord> steps, DateTimeOffset now) =>
        definition.Steps.Where(step => steps[step.Name] switch
        {
            { Status: PipelineStepStatus.Pending } => step.Needs.All(n => steps[n].Status is PipelineStepStatus.Succeeded or PipelineStepStatus.Cached),
            { Status: PipelineStepStatus.Retrying, NextAttemptAt: var at } => at is null || at <= now,
            _ => false,
        }).ToList();

    /// <summary>Pending steps that can no longer run, with the reason, in file order (one pass; call again until empty).</summary>
    public static IReadOnlyList<(StepDefinition Step, string Reason)> Blocked(PipelineDefinition definition, IReadOnlyDictionary<string, PipelineStepRecord> steps)
    {
        var blocked = new List<(StepDefinition, string)>();
        foreach (var step in definition.Steps.Where(s => steps[s.Name].Status == PipelineStepStatus.Pending))
        {
            var reason = step.Needs.Select(n => steps[n]).Select(need => need.Status switch
            {
                PipelineStepStatus.Failed => $"not run: step '{need.Step}' failed",
                PipelineStepStatus.Cancelled => $"not run: step '{need.Step}' was cancelled",
                PipelineStepStatus.Skipped => $"not run: step '{need.Step}' was skipped",
                _ => null,
            }).FirstOrDefault(r => r is not null);
            if (reason is not null)
            {
                blocked.Add((step, reason));
            }
        }

        return blocked;
    }

    /// <summary>How the run ended, or null while a step is unfinished: failed if any step failed, else cancelled if any was, else succeeded.</summary>
    public static PipelineRunStatus? Outcome(IReadOnlyDictionary<string, PipelineStepRecord> steps)
    {
        if (steps.Values.Any(s => !s.IsFinished))
        {
            return null;
        }

        return steps.Values.Any(s => s.Status == PipelineStepStatus.Failed) ? PipelineRunStatus.Failed
            : steps.Values.Any(s => s.Status == PipelineStepStatus.Cancelled) ? PipelineRunStatus.Cancelled
            : PipelineRunStatus.Succeeded;
    }

    /// <summary>When the earliest retry is due, or null when no step is retrying.</summary>
    public static DateTimeOffset? NextRetry(IReadOnlyDictionary<string, PipelineStepRecord> steps) =>
        steps.Values.Where(s => s.Status == PipelineStepStatus.Retrying).Select(s => s.NextAttemptAt).Min();
}
