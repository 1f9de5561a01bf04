using Kiln.Core.Deployments;
using Kiln.Inference.Serving;
using Kiln.Monitoring.Rollouts;
using Kiln.Monitoring.Traffic;
using Kiln.Server.Monitoring;

namespace Kiln.Server.Rollouts;

/// <summary>
/// Gathers a running canary's numbers for its current step — requests, 5xx and p99 per variant from
/// the traffic windows, and with labels the policy's quality metric per version from the prediction
/// log — and asks <see cref="CanaryAnalysis"/> what to do.
/// </summary>
internal sealed class CanaryAnalyzer(TrafficWindows traffic, QualityReports quality, TimeProvider time)
{
    public async Task<(CanaryDecision Decision, DeploymentVariant Primary, DeploymentVariant Canary)> AnalyzeAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        var rollout = deployment.Canary ?? throw new InvalidOperationException($"No canary on {deployment.Name}.");
        var now = time.GetUtcNow();
        var canary = deployment.Variants.Single(v => v.Name == rollout.Variant);
        var primary = deployment.Variants.Where(v => v.Role == VariantRole.Primary).MaxBy(v => v.Weight)!;
        var policy = Policy(rollout.Policy);
        var window = now - rollout.StepStartedAt;
        if (window <= TimeSpan.Zero)
        {
            window = TimeSpan.FromSeconds(1);
        }

        var primaryStats = await StatsAsync(deployment.Name, primary, window, rollout, policy, now, cancellationToken);
        var canaryStats = await StatsAsync(deployment.Name, canary, window, rollout, policy, now, cancellationToken);
        var decision = CanaryAnalysis.Decide(policy, new CanaryState(rollout.Step, rollout.StepStartedAt), primaryStats, canaryStats, now);
        return (decision, primary, canary);
    }

    public static CanaryPolicy Policy(CanaryPolicySpec spec) => new()
    {
        StepPercents = spec.Steps.Select(s => (double)s).ToArray(),
        StepInterval = spec.Interval,
        MinRequestsPerStep = spec.MinRequests,
        ErrorRateTolerance = spec.MaxErrorRateIncrease,
        MaxP99Ratio = spec.MaxLatencyRatio,
        Quality = spec.QualityMetric is { } metric
            ? new CanaryQualityPolicy(metric, spec.QualityMargin, spec.MinLabels, HigherIsBetter: metric is not ("log_loss" or "rmse" or "mae"))
            : null,
    };

    private async Task<VariantWindowStats> StatsAsync(
        string deployment, DeploymentVariant variant, TimeSpan window, CanaryRollout rollout, CanaryPolicy policy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var snapshot = traffic.Snapshot(deployment, variant.Name, window);
        long labelled = 0;
        double? metric = null;
        if (policy.Quality is { } q)
        {
            var report = await quality.BuildAsync(deployment, window: null, rollout.StepStartedAt, now, variant.ModelVersion, last: null, cancellationToken);
            labelled = report.Overall.Labelled;
            metric = report.Overall.Metrics.TryGetValue(q.Metric, out var value) ? value : null;
        }

        return new VariantWindowStats(snapshot.Requests, snapshot.ServerErrors, snapshot.P99Seconds, labelled, metric);
    }
}
