using Kiln.Core.Api;
using Kiln.Core.Deployments;
using Kiln.Inference.Serving;
using Kiln.Monitoring.Traffic;
using Kiln.Server.Endpoints;

namespace Kiln.Server.Dashboard.Shared;

/// <summary>A deployment as the overview and the deployments list show it: the API's view, its recent traffic, and per minute over the last hour its requests, error rate and p99 (ms).</summary>
public sealed record DeploymentSummary(DeploymentView View, TrafficSnapshot Recent, IReadOnlyList<double?> PerMinute, IReadOnlyList<double?> ErrorRatePerMinute, IReadOnlyList<double?> P99PerMinute)
{
    /// <summary>The window of the live numbers: the same five minutes as the API's <c>traffic</c>.</summary>
    public static readonly TimeSpan RecentWindow = TimeSpan.FromMinutes(5);

    internal static DeploymentSummary Of(Deployment deployment, DeploymentManager manager, TrafficWindows traffic)
    {
        var series = traffic.Series(deployment.Name, null, TimeSpan.FromHours(1), TimeSpan.FromMinutes(1));
        return new(
            DeploymentEndpoints.View(deployment, manager, traffic),
            traffic.Snapshot(deployment.Name, RecentWindow),
            series.Select(p => (double?)p.Traffic.Requests).ToArray(),
            series.Select(p => p.Traffic.Requests == 0 ? null : (double?)p.Traffic.ErrorRate).ToArray(),
            series.Select(p => p.Traffic.P99Seconds * 1000).ToArray());
    }

    public static string Share(DeploymentVariant variant) =>
        variant.Role == VariantRole.Shadow ? $"shadow, {variant.ShadowSample:P0} copied" : $"{variant.Weight}%";
}
