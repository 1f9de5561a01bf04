using System.Globalization;
using System.Net.Http.Json;
using Kiln.Core.Api;
using Kiln.Core.Deployments;

namespace Kiln.Client;

public sealed partial class KilnClient
{
    /// <summary>
    /// Splits a deployment's traffic over model versions by fixed weights (percent, summing to 100) for an A/B test;
    /// versions not named leave, shadows stay. Refused while a canary runs.
    /// </summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="weightsByVersion">Model version number → percent of traffic.</param>
    /// <param name="reason">Why, kept in the revision history.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<DeploymentView> SetTrafficAsync(string deployment, IReadOnlyDictionary<int, int> weightsByVersion, string? reason = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(weightsByVersion);
        var weights = weightsByVersion.ToDictionary(w => w.Key.ToString(CultureInfo.InvariantCulture), w => w.Value, StringComparer.Ordinal);
        using var response = await _http.PutAsJsonAsync(Rollout(deployment, "traffic"), new TrafficRequest(weights, reason), Json.TrafficRequest, cancellationToken);
        return await ReadAsync(response, Json.DeploymentView, cancellationToken);
    }

    /// <summary>Starts a canary of <see cref="CanaryRequest.Model"/> beside the deployment's single primary, at the policy's first step.</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="request">The candidate and its policy; unset fields take the server's defaults.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<DeploymentView> StartCanaryAsync(string deployment, CanaryRequest request, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PostAsJsonAsync(Rollout(deployment, "canary"), request, Json.CanaryRequest, cancellationToken);
        return await ReadAsync(response, Json.DeploymentView, cancellationToken);
    }

    /// <summary>The running canary and what its analysis would decide now; not found when no canary runs.</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<CanaryStatus> GetCanaryAsync(string deployment, CancellationToken cancellationToken = default) =>
        GetAsync(Rollout(deployment, "canary"), Json.CanaryStatus, cancellationToken);

    /// <summary>Promotes the running canary to the only primary now, whatever its analysis says.</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="reason">Why, kept in the revision history.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<DeploymentView> PromoteCanaryAsync(string deployment, string? reason = null, CancellationToken cancellationToken = default) =>
        CanaryActionAsync(deployment, "canary/promote", reason, cancellationToken);

    /// <summary>Removes the running canary; the primary takes all traffic again.</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="reason">Why, kept in the revision history.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<DeploymentView> AbortCanaryAsync(string deployment, string? reason = null, CancellationToken cancellationToken = default) =>
        CanaryActionAsync(deployment, "canary/abort", reason, cancellationToken);

    /// <summary>Loads and warms <paramref name="model"/> alongside, then flips all traffic to it at once.</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="model">The new version: NAME/VERSION, NAME@ALIAS or NAME.</param>
    /// <param name="keepOld">How long the old version stays loaded for an instant rollback, e.g. <c>10m</c> (the server's default when null).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<DeploymentView> BlueGreenAsync(string deployment, string model, string? keepOld = null, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PostAsJsonAsync(Rollout(deployment, "bluegreen"), new BlueGreenRequest(model, keepOld), Json.BlueGreenRequest, cancellationToken);
        return await ReadAsync(response, Json.DeploymentView, cancellationToken);
    }

    /// <summary>Adds or replaces the shadow variant: it gets a copy of a sample of requests, and its answers are compared, never returned.</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="model">The shadow version: NAME/VERSION, NAME@ALIAS or NAME.</param>
    /// <param name="sample">Share of requests copied to it, in (0, 1] (the server's default, 1, when null).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<DeploymentView> SetShadowAsync(string deployment, string model, double? sample = null, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PutAsJsonAsync(Rollout(deployment, "shadow"), new ShadowRequest(model, sample), Json.ShadowRequest, cancellationToken);
        return await ReadAsync(response, Json.DeploymentView, cancellationToken);
    }

    /// <summary>Removes the shadow variant; not found when there is none.</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<DeploymentView> RemoveShadowAsync(string deployment, CancellationToken cancellationToken = default)
    {
        using var response = await _http.DeleteAsync(Rollout(deployment, "shadow"), cancellationToken);
        return await ReadAsync(response, Json.DeploymentView, cancellationToken);
    }

    /// <summary>Agreement of each shadow with the primary since <paramref name="since"/>.</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="since">ISO 8601 time or a duration before now, e.g. <c>1h</c> (the server's default, 1h, when null).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<IReadOnlyList<ShadowWindow>> GetShadowAsync(string deployment, string? since = null, CancellationToken cancellationToken = default) =>
        GetAsync(Rollout(deployment, "shadow") + Query(("since", since)), Json.IReadOnlyListShadowWindow, cancellationToken);

    /// <summary>Restores a previous revision's variants as a new revision.</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="toRevision">The revision to restore (the one before the current when null).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<DeploymentView> RollbackAsync(string deployment, int? toRevision = null, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PostAsJsonAsync(Rollout(deployment, "rollback"), new RollbackRequest(toRevision), Json.RollbackRequest, cancellationToken);
        return await ReadAsync(response, Json.DeploymentView, cancellationToken);
    }

    /// <summary>The deployment's revisions, newest first: who changed what, when and why.</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<IReadOnlyList<DeploymentRevision>> GetHistoryAsync(string deployment, CancellationToken cancellationToken = default) =>
        GetAsync(Rollout(deployment, "history"), Json.IReadOnlyListDeploymentRevision, cancellationToken);

    /// <summary>Champion vs challenger on labelled traffic: accuracy and AUC with 95 % intervals, their difference and its significance.</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="since">Start: ISO 8601 time or a duration before now (the server's default, 1d, when null).</param>
    /// <param name="until">End: ISO 8601 time or a duration before now (now when null).</param>
    /// <param name="champion">The champion's model version (the primary with the most traffic when null).</param>
    /// <param name="challenger">The challenger's model version (the canary, another primary or the shadow when null).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<ComparisonReport> CompareAsync(string deployment, string? since = null, string? until = null, int? champion = null, int? challenger = null, CancellationToken cancellationToken = default) =>
        GetAsync(
            Rollout(deployment, "compare") + Query(("since", since), ("until", until), ("champion", Text(champion)), ("challenger", Text(challenger))),
            Json.ComparisonReport, cancellationToken);

    private async Task<DeploymentView> CanaryActionAsync(string deployment, string action, string? reason, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync(Rollout(deployment, action), new CanaryActionRequest(reason), Json.CanaryActionRequest, cancellationToken);
        return await ReadAsync(response, Json.DeploymentView, cancellationToken);
    }

    private static string Rollout(string deployment, string action) => $"api/deployments/{Escape(deployment)}/{action}";
}
