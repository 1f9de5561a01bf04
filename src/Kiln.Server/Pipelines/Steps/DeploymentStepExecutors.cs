using System.Globalization;
using System.Text.Json.Nodes;
using Kiln.Core;
using Kiln.Core.Api;
using Kiln.Core.Deployments;
using Kiln.Inference.Serving;
using Kiln.Pipelines.Definitions;
using Kiln.Pipelines.Execution;
using Kiln.Server.Configuration;
using Kiln.Server.Rollouts;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Pipelines.Steps;

/// <summary>A deploy step: the deployment serves the version with all its traffic (created when missing).</summary>
internal sealed class DeployStepExecutor(DeploymentManager manager) : IStepExecutor
{
    public string Kind => StepKinds.Deploy;

    public async Task<JsonObject> ExecuteAsync(StepExecution step, CancellationToken cancellationToken)
    {
        var name = step.Text("deployment")!;
        var model = $"{step.Text("model")}/{step.Integer("version")}";
        Deployment deployment;
        try
        {
            deployment = await manager.DeployAsync(name, model, DeploymentSettingsChange.None, DeploymentSteps.Actor(step), cancellationToken);
        }
        catch (KilnException e) when (e.Kind is Kiln.Core.Errors.KilnErrorKind.Invalid or Kiln.Core.Errors.KilnErrorKind.NotFound)
        {
            throw new StepFailedException($"deploying {model} to {name} was refused: {e.Message}");
        }

        step.Log.Write($"{name} now serves {model} (revision {deployment.Revision})");
        return new JsonObject { ["deployment"] = name, ["revision"] = deployment.Revision };
    }
}

/// <summary>
/// A canary step: starts a canary of the version on the deployment with automated analysis, then waits for the
/// analysis (on whichever replica holds the lease) to promote or roll it back. An attempt after an interrupted one
/// finds the canary its predecessor started, or its outcome, rather than starting another.
/// </summary>
internal sealed class CanaryStepExecutor(DeploymentManager manager, IDeploymentStore deployments, TimeProvider time, IOptions<KilnOptions> options) : IStepExecutor
{
    public string Kind => StepKinds.Canary;

    public async Task<JsonObject> ExecuteAsync(StepExecution step, CancellationToken cancellationToken)
    {
        var name = step.Text("deployment")!;
        var model = step.Text("model")!;
        var version = (int)step.Integer("version")!;
        var actor = DeploymentSteps.Actor(step);
        var current = await deployments.GetAsync(name, cancellationToken)
            ?? throw new StepFailedException($"there is no deployment '{name}'; a canary runs beside a primary (deploy one first)");
        var history = await manager.HistoryAsync(name, cancellationToken);
        var ours = history.Where(r => r.Actor == actor && r.Change == "canary_start").MaxBy(r => r.Number);
        int startRevision;
        if (current.Canary is { } running)
        {
            var variant = current.Variants.Single(v => v.Name == running.Variant);
            if (!IsCandidate(variant, model, version))
            {
                throw new StepFailedException($"a canary of {variant.ModelName}/{variant.ModelVersion} is already running on {name}; it must end first", retryable: true);
            }

            startRevision = ours?.Number ?? current.Revision;
            step.Log.Write($"the canary of {model}/{version} on {name} is already running; waiting for its outcome");
        }
        else if (ours is not null)
        {
            startRevision = ours.Number; // an earlier attempt started it and it has ended: read its outcome below
        }
        else if (IsCandidate(current.Variants.FirstOrDefault(v => v.Role == VariantRole.Primary), model, version))
        {
            step.Log.Write($"{model}/{version} is already the primary of {name}");
            return Outcome("promoted", "the version was already the primary");
        }
        else
        {
            startRevision = await StartAsync(step, name, model, version, actor, cancellationToken);
        }

        while (true)
        {
            var now = await deployments.GetAsync(name, cancellationToken) ?? throw new StepFailedException($"deployment {name} was deleted during the canary");
            if (now.Canary is { } canary && IsCandidate(now.Variants.Single(v => v.Name == canary.Variant), model, version))
            {
                await Task.Delay(options.Value.Pipelines.PollInterval, time, cancellationToken);
                continue;
            }

            var end = (await manager.HistoryAsync(name, cancellationToken)).Where(r => r.Number > startRevision).OrderBy(r => r.Number)
                .FirstOrDefault(r => r.Change is "canary_promote" or "canary_rollback" or "canary_abort");
            var promoted = end?.Change == "canary_promote";
            var reason = end?.Reason ?? "the canary was replaced by another change of the deployment";
            step.Log.Write(promoted ? $"promoted: {reason}" : $"not promoted: {reason}");
            if (!promoted && step.Boolean("fail_on_rollback") == true)
            {
                throw new StepFailedException($"the canary was rolled back: {reason}");
            }

            return Outcome(promoted ? "promoted" : "rolled_back", reason);
        }
    }

    private async Task<int> StartAsync(StepExecution step, string name, string model, int version, string actor, CancellationToken cancellationToken)
    {
        try
        {
            var policy = CanaryPolicies.From(new CanaryRequest(model, Steps(step), step.Text("interval"), (int?)step.Integer("min_requests"), MinLabels: (int?)step.Integer("min_labels")));
            var started = await manager.StartCanaryAsync(name, $"{model}/{version}", policy, automatic: true, step.Text("promote_alias"), actor, cancellationToken);
            step.Log.Write(string.Create(CultureInfo.InvariantCulture,
                $"canary of {model}/{version} on {name}: steps {string.Join(" → ", policy.Steps.Select(s => s + "%"))}, judged every {DurationText.Format(policy.Interval)} by automated analysis"));
            return started.Revision;
        }
        catch (KilnException e) when (e.Kind is Kiln.Core.Errors.KilnErrorKind.Invalid or Kiln.Core.Errors.KilnErrorKind.NotFound or Kiln.Core.Errors.KilnErrorKind.Conflict)
        {
            throw new StepFailedException($"the canary could not start: {e.Message}");
        }
    }

    private static bool IsCandidate(DeploymentVariant? variant, string model, int version) => variant?.ModelName == model && variant.ModelVersion == version;

    private static IReadOnlyList<int>? Steps(StepExecution step) =>
        step.Inputs["steps"] is JsonArray array ? array.Select(n => (int)(n?.GetValue<long>() ?? 0)).ToList() : null;

    private static JsonObject Outcome(string outcome, string reason) => new()
    {
        ["outcome"] = outcome,
        ["promoted"] = outcome == "promoted",
        ["reason"] = reason,
    };
}

internal static class DeploymentSteps
{
    /// <summary>Who the deployment's history says made the change.</summary>
    public static string Actor(StepExecution step) => $"pipeline {step.Pipeline} (run {step.RunId[..8]}, step {step.Step.Name})";
}
