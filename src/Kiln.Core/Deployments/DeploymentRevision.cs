namespace Kiln.Core.Deployments;

/// <summary>One numbered change to a deployment, kept as history: what it became, who changed it, when and why.</summary>
/// <param name="Number">The revision number (1 for the first).</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="Actor">Who made it: an API key's name, or <c>kiln</c> for automated decisions (canary analysis).</param>
/// <param name="Change">What kind of change: deploy, traffic, canary_start, canary_step, canary_promote, canary_rollback, canary_abort, bluegreen, shadow, shadow_remove, rollback, settings.</param>
/// <param name="Reason">Why, in words (for automated decisions: the analysis' numbers).</param>
/// <param name="Variants">The variants as of this revision.</param>
/// <param name="Settings">The sampling rate, routing field and batching as of this revision.</param>
public sealed record DeploymentRevision(
    int Number,
    DateTimeOffset CreatedAt,
    string Actor,
    string Change,
    string Reason,
    IReadOnlyList<DeploymentVariant> Variants,
    DeploymentSettings Settings);

/// <summary>A change to store: the deployment's new state and what to record about it.</summary>
/// <param name="Name">The deployment.</param>
/// <param name="Variants">The new variants.</param>
/// <param name="Settings">The new sampling rate, routing field and batching.</param>
/// <param name="Canary">The canary rollout in progress after the change, if any.</param>
/// <param name="Actor">Who made it.</param>
/// <param name="Change">What kind of change (see <see cref="DeploymentRevision.Change"/>).</param>
/// <param name="Reason">Why.</param>
/// <param name="ExpectedRevision">The revision the change was planned from (0: a new deployment); the store refuses it if another writer moved on, or null to skip that check.</param>
public sealed record DeploymentChange(
    string Name,
    IReadOnlyList<DeploymentVariant> Variants,
    DeploymentSettings Settings,
    CanaryRollout? Canary,
    string Actor,
    string Change,
    string Reason,
    int? ExpectedRevision = null);
