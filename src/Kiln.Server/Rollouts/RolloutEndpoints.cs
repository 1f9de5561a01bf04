using System.Globalization;
using Kiln.Core;
using Kiln.Core.Api;
using Kiln.Core.Deployments;
using Kiln.Core.Monitoring;
using Kiln.Core.Security;
using Kiln.Inference.Serving;
using Kiln.Monitoring.Shadow;
using Kiln.Server.Endpoints;
using Kiln.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Kiln.Server.Rollouts;

/// <summary>Safe rollouts: traffic splits, canaries, blue-green flips, shadows, rollbacks and the revision history.</summary>
internal static class RolloutEndpoints
{
    public static IEndpointRouteBuilder MapRolloutEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/deployments/{name}").WithTags("Rollouts").ForDeployment();
        group.MapPut("/traffic", Traffic).RequireRole(KilnRole.Deployer).WithSummary("A/B: fixed weights by model version, summing to 100.");
        group.MapPost("/canary", StartCanary).RequireRole(KilnRole.Deployer).WithSummary("Start a canary of a new version, stepped up by automated analysis (or by hand).");
        group.MapGet("/canary", CanaryStatus).RequireRole(KilnRole.Viewer).WithSummary("The running canary and what its analysis says now.");
        group.MapPost("/canary/promote", Promote).RequireRole(KilnRole.Deployer).WithSummary("Promote the canary to primary now.");
        group.MapPost("/canary/abort", Abort).RequireRole(KilnRole.Deployer).WithSummary("Remove the canary; the primary takes all traffic.");
        group.MapPost("/bluegreen", BlueGreen).RequireRole(KilnRole.Deployer).WithSummary("Load and warm a version alongside, then flip all traffic to it at once.");
        group.MapPut("/shadow", Shadow).RequireRole(KilnRole.Deployer).WithSummary("Mirror a sample of requests to a shadow version; its answers are compared, never returned.");
        group.MapDelete("/shadow", RemoveShadow).RequireRole(KilnRole.Deployer);
        group.MapGet("/shadow", ShadowReport).RequireRole(KilnRole.Viewer).WithSummary("Agreement of each shadow with the primary since a time, overall or per window (window=5m).");
        group.MapPost("/rollback", Rollback).RequireRole(KilnRole.Deployer).WithSummary("Restore a previous revision (default: the one before the current).");
        group.MapGet("/compare", Compare).RequireRole(KilnRole.Viewer)
            .WithSummary("Champion vs challenger on labelled traffic: accuracy and AUC with 95 % intervals, the difference, its significance, and the labels still needed.");
        group.MapGet("/history", History).RequireRole(KilnRole.Viewer).WithSummary("The deployment's revisions, newest first: who, when, what changed, why.");
        return app;
    }

    internal static string Actor(HttpContext context) => context.User.Identity?.Name is { Length: > 0 } name ? name : "anonymous";

    private static async Task<Ok<DeploymentView>> Traffic(string name, TrafficRequest request, HttpContext context, DeploymentManager manager, CancellationToken cancellationToken)
    {
        var weights = new Dictionary<int, int>();
        foreach (var (key, weight) in request.Weights ?? throw KilnException.Invalid("weights", "is required: model version → percent, e.g. {\"3\": 90, \"4\": 10}."))
        {
            weights[int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0
                ? version
                : throw KilnException.Invalid($"weights.{key}", "must be a model version number.")] = weight;
        }

        return TypedResults.Ok(DeploymentEndpoints.View(await manager.SetTrafficAsync(name, weights, request.Reason, Actor(context), cancellationToken), manager));
    }

    private static async Task<Ok<DeploymentView>> StartCanary(string name, CanaryRequest request, HttpContext context, DeploymentManager manager, CancellationToken cancellationToken)
    {
        var model = request.Model ?? throw KilnException.Invalid("model", "is required: NAME/VERSION, NAME@ALIAS or NAME.");
        var policy = CanaryPolicies.From(request);
        var deployment = await manager.StartCanaryAsync(name, model, policy, !request.Manual, request.PromoteAlias, Actor(context), cancellationToken);
        return TypedResults.Ok(DeploymentEndpoints.View(deployment, manager));
    }

    private static async Task<Ok<CanaryStatus>> CanaryStatus(string name, DeploymentTable table, CanaryAnalyzer analyzer, CancellationToken cancellationToken) =>
        TypedResults.Ok(await CanaryStatusAsync(name, table, analyzer, cancellationToken));

    /// <summary>The running canary of <paramref name="name"/> and what its analysis says now (the API's and the dashboard's view).</summary>
    internal static async Task<CanaryStatus> CanaryStatusAsync(string name, DeploymentTable table, CanaryAnalyzer analyzer, CancellationToken cancellationToken)
    {
        var deployment = (table.TryGet(name, out var served) ? served.Deployment : null) ?? throw KilnException.NotFound("Deployment", name);
        var rollout = deployment.Canary ?? throw KilnException.NotFound("Canary of deployment", name);
        var (decision, primary, canary) = await analyzer.AnalyzeAsync(deployment, cancellationToken);
        var verdict = decision.Verdict switch
        {
            Kiln.Monitoring.Rollouts.CanaryVerdict.Advance or Kiln.Monitoring.Rollouts.CanaryVerdict.Complete => "promote",
            Kiln.Monitoring.Rollouts.CanaryVerdict.Rollback => "rollback",
            _ => "hold",
        };
        return new CanaryStatus(
            name, rollout, canary, primary, verdict, decision.Reason,
            decision.Checks.Select(c => new CanaryCheckView(Snake(c.Check.ToString()), c.Outcome.ToString().ToLowerInvariant(), c.Detail)).ToArray());
    }

    private static async Task<Ok<DeploymentView>> Promote(string name, CanaryActionRequest? request, HttpContext context, DeploymentManager manager, CancellationToken cancellationToken) =>
        TypedResults.Ok(DeploymentEndpoints.View(await manager.PromoteCanaryAsync(name, request?.Reason ?? "promoted by hand", Actor(context), cancellationToken), manager));

    private static async Task<Ok<DeploymentView>> Abort(string name, CanaryActionRequest? request, HttpContext context, DeploymentManager manager, CancellationToken cancellationToken) =>
        TypedResults.Ok(DeploymentEndpoints.View(await manager.AbortCanaryAsync(name, request?.Reason ?? "aborted by hand", Actor(context), cancellationToken), manager));

    private static async Task<Ok<DeploymentView>> BlueGreen(string name, BlueGreenRequest request, HttpContext context, DeploymentManager manager, CancellationToken cancellationToken)
    {
        var model = request.Model ?? throw KilnException.Invalid("model", "is required: NAME/VERSION, NAME@ALIAS or NAME.");
        var keep = request.KeepOld is null ? TimeSpan.FromMinutes(10) : DurationText.Parse(request.KeepOld, "keepOld");
        return TypedResults.Ok(DeploymentEndpoints.View(await manager.BlueGreenAsync(name, model, keep, Actor(context), cancellationToken), manager));
    }

    private static async Task<Ok<DeploymentView>> Shadow(string name, ShadowRequest request, HttpContext context, DeploymentManager manager, CancellationToken cancellationToken)
    {
        var model = request.Model ?? throw KilnException.Invalid("model", "is required: NAME/VERSION, NAME@ALIAS or NAME.");
        return TypedResults.Ok(DeploymentEndpoints.View(await manager.SetShadowAsync(name, model, request.Sample ?? 1.0, Actor(context), cancellationToken), manager));
    }

    private static async Task<Ok<DeploymentView>> RemoveShadow(string name, HttpContext context, DeploymentManager manager, CancellationToken cancellationToken) =>
        TypedResults.Ok(DeploymentEndpoints.View(await manager.RemoveShadowAsync(name, Actor(context), cancellationToken), manager));

    private static Ok<IReadOnlyList<ShadowWindow>> ShadowReport(string name, string? since, string? window, ShadowAgreement agreement, TimeProvider time) =>
        TypedResults.Ok(agreement.Read(name, DurationText.ParseTime(since ?? "1h", time.GetUtcNow(), "since"), window is null ? null : DurationText.Parse(window, "window")));

    private static async Task<Ok<DeploymentView>> Rollback(string name, RollbackRequest? request, HttpContext context, DeploymentManager manager, CancellationToken cancellationToken) =>
        TypedResults.Ok(DeploymentEndpoints.View(await manager.RollbackAsync(name, request?.ToRevision, Actor(context), cancellationToken), manager));

    private static async Task<Ok<ComparisonReport>> Compare(
        string name, string? since, string? until, int? champion, int? challenger, ComparisonReports reports, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var from = DurationText.ParseTime(since ?? "1d", now, "since");
        var to = until is null ? now : DurationText.ParseTime(until, now, "until");
        return TypedResults.Ok(await reports.BuildAsync(name, from, to, champion, challenger, cancellationToken));
    }

    private static async Task<Ok<IReadOnlyList<DeploymentRevision>>> History(string name, DeploymentManager manager, CancellationToken cancellationToken) =>
        TypedResults.Ok(await manager.HistoryAsync(name, cancellationToken));

    private static string Snake(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
