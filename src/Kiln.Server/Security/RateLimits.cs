using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Kiln.Core.Security;
using Kiln.Monitoring.Metrics;
using Kiln.Server.Configuration;
using Kiln.Server.Errors;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Security;

/// <summary>
/// Kiln's token buckets (<c>Kiln:RateLimits</c>) on the rate limiters ASP.NET Core's own middleware uses
/// (System.Threading.RateLimiting): one per key by its role, one per key and deployment, and one per client address
/// for callers without a valid key (open endpoints, and the 401s of a bad-key flood). <see cref="ApiKeyMiddleware"/>
/// asks here once it knows the caller, so keys skip the limiter entirely while no key limit is configured, which keeps
/// the serving path as fast as before. Refusals are 429 in the protocol's error shape with <c>Retry-After</c> and the
/// draft <c>RateLimit-*</c> headers, and counted in <c>kiln_rate_limited_total{limit}</c>.
/// </summary>
internal sealed class RateLimits
{
    private readonly RateLimitOptions _options;
    private readonly MetricFamily<Counter> _limited;
    private readonly bool _keyLimits;
    private readonly RateLimit? _anonymous;
    private readonly Dictionary<string, RateLimit> _roles;

    public RateLimits(IOptions<KilnOptions> options, MetricsRegistry metrics)
    {
        _options = options.Value.RateLimits;
        _limited = metrics.CreateCounterFamily("kiln_rate_limited_total", "Requests refused with 429 by a rate limit.", "limit");
        _anonymous = IsOn(_options.Anonymous) ? _options.Anonymous : null;
        _roles = new Dictionary<string, RateLimit>(_options.Roles, StringComparer.OrdinalIgnoreCase);
        _keyLimits = _options.Roles.Values.Any(IsOn) || _options.Deployments.Values.Any(IsOn);
        Limiter = PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<HttpContext, string>(ByRoleOrAddress),
            PartitionedRateLimiter.Create<HttpContext, string>(ByDeployment));
    }

    /// <summary>Every bucket, chained: the caller's (its key's role, or its address) and its key's for the deployment.</summary>
    public PartitionedRateLimiter<HttpContext> Limiter { get; }

    /// <summary>
    /// Takes a token for the request (after authentication set <c>context.User</c>, or for a caller without a valid key);
    /// false when a bucket is empty, with the 429 written. Keys are free when no key limits are configured.
    /// </summary>
    public ValueTask<bool> AdmitAsync(HttpContext context)
    {
        var keyed = context.User.FindFirst(KilnClaims.KeyId) is not null;
        if (keyed ? !_keyLimits : _anonymous is null)
        {
            return ValueTask.FromResult(true);
        }

        var lease = Limiter.AttemptAcquire(context);
        if (lease.IsAcquired)
        {
            lease.Dispose();
            return ValueTask.FromResult(true);
        }

        return RejectAsync(context, lease, keyed);
    }

    private async ValueTask<bool> RejectAsync(HttpContext context, RateLimitLease lease, bool keyed)
    {
        using (lease)
        {
            var (kind, limit) = keyed ? Describe(context) : ("address", _anonymous!);
            await WriteRejectionAsync(context, lease, kind, limit);
        }

        return false;
    }

    private RateLimitPartition<string> ByRoleOrAddress(HttpContext context)
    {
        if (context.User.FindFirst(KilnClaims.KeyId)?.Value is not { } keyId)
        {
            var address = AddressOf(context);
            return _anonymous is { } anonymous
                ? RateLimitPartition.GetTokenBucketLimiter("address:" + address, _ => Bucket(anonymous))
                : RateLimitPartition.GetNoLimiter("address:" + address);
        }

        var role = KilnClaims.RoleOf(context.User).ToString();
        return _roles.TryGetValue(role, out var limit) && IsOn(limit)
            ? RateLimitPartition.GetTokenBucketLimiter("key:" + keyId, _ => Bucket(limit))
            : RateLimitPartition.GetNoLimiter("key:" + keyId);
    }

    private RateLimitPartition<string> ByDeployment(HttpContext context)
    {
        if (_options.Deployments.Count == 0
            || context.User.FindFirst(KilnClaims.KeyId)?.Value is not { } keyId
            || DeploymentOf(context) is not { } deployment
            || !_options.Deployments.TryGetValue(deployment, out var limit)
            || !IsOn(limit))
        {
            return RateLimitPartition.GetNoLimiter(string.Empty);
        }

        return RateLimitPartition.GetTokenBucketLimiter($"key:{keyId}:{deployment}", _ => Bucket(limit));
    }

    private (string Kind, RateLimit Limit) Describe(HttpContext context)
    {
        if (DeploymentOf(context) is { } deployment && _options.Deployments.TryGetValue(deployment, out var perDeployment))
        {
            var role = KilnClaims.RoleOf(context.User).ToString();
            if (!_roles.TryGetValue(role, out var perRole) || perRole.PerSecond > perDeployment.PerSecond)
            {
                return ("deployment", perDeployment);
            }
        }

        return ("role", _roles.TryGetValue(KilnClaims.RoleOf(context.User).ToString(), out var limit) ? limit : new RateLimit());
    }

    private async Task WriteRejectionAsync(HttpContext context, RateLimitLease lease, string kind, RateLimit limit)
    {
        _limited.WithLabels(kind).Increment();
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        var headers = context.Response.Headers;
        headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Limit"] = BurstOf(limit).ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Remaining"] = "0";
        headers["RateLimit-Reset"] = seconds.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Policy"] = string.Create(CultureInfo.InvariantCulture, $"{BurstOf(limit)};w=1;rate={limit.PerSecond}");
        await ErrorResponses.WriteAsync(context, StatusCodes.Status429TooManyRequests,
            $"Too many requests ({kind} limit: {limit.PerSecond.ToString(CultureInfo.InvariantCulture)}/s, bursts of {BurstOf(limit)}); retry after {seconds} s.", null);
    }

    private static string? DeploymentOf(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<DeploymentRoute>() is { } route && context.Request.RouteValues.TryGetValue(route.Parameter, out var value)
            ? value as string
            : null;

    private static string AddressOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? IPAddress.None.ToString();

    /// <summary>A limit with a rate of zero (or none) is off.</summary>
    private static bool IsOn(RateLimit? limit) => limit is { PerSecond: > 0 };

    private static int BurstOf(RateLimit limit) => limit.Burst ?? Math.Max(1, (int)Math.Ceiling(limit.PerSecond));

    /// <summary>A bucket refilled every 100 ms (or once per token, for slow rates), no queue: over the limit is refused at once.</summary>
    private static TokenBucketRateLimiterOptions Bucket(RateLimit limit)
    {
        var fast = limit.PerSecond >= 10;
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = BurstOf(limit),
            TokensPerPeriod = fast ? Math.Max(1, (int)Math.Round(limit.PerSecond / 10)) : 1,
            ReplenishmentPeriod = fast ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(1 / limit.PerSecond),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }
}
