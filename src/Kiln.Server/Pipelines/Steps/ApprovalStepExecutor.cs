using System.Text.Json.Nodes;
using Kiln.Core.Pipelines;
using Kiln.Pipelines.Definitions;
using Kiln.Pipelines.Execution;
using Kiln.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Pipelines.Steps;

/// <summary>
/// An approval step: marks itself waiting, then waits for a decision made through the API, the CLI or the dashboard.
/// Approved, it succeeds; rejected, it fails (no retry). Its timeout (7 days unless set) fails it if nobody decides.
/// </summary>
internal sealed class ApprovalStepExecutor(IPipelineStore store, TimeProvider time, IOptions<KilnOptions> options) : IStepExecutor
{
    public string Kind => StepKinds.Approval;

    public async Task<JsonObject> ExecuteAsync(StepExecution step, CancellationToken cancellationToken)
    {
        await step.MarkWaitingAsync(cancellationToken);
        step.Log.Write($"waiting for approval: {step.Text("message") ?? "approve to continue"} (kiln pipelines approve {step.RunId[..8]} {step.Step.Name})");
        while (true)
        {
            var decision = (await store.GetStepsAsync(step.RunId, cancellationToken)).FirstOrDefault(s => s.Step == step.Step.Name)?.DecisionJson;
            if (decision is not null && JsonNode.Parse(decision) is JsonObject made)
            {
                var by = made["by"]?.GetValue<string>() ?? "someone";
                var comment = made["comment"]?.GetValue<string>();
                if (made["approved"]?.GetValue<bool>() != true)
                {
                    throw new StepFailedException($"rejected by {by}" + (comment is null ? "" : $": {comment}"));
                }

                step.Log.Write($"approved by {by}" + (comment is null ? "" : $": {comment}"));
                return new JsonObject { ["approved"] = true, ["by"] = by, ["comment"] = comment };
            }

            await Task.Delay(options.Value.Pipelines.PollInterval, time, cancellationToken);
        }
    }
}
