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
/// for callers without a valid key (open endpoints, and the 401s of a bad-key flood). <see cref="RateLimitMiddleware"/>
/// asks here once authentication knows the caller, so keys skip the limiters entirely while no key limit is configured,
/// which keeps the serving path as fast as before. Refusals are 429 in the protocol's error shape with <c>Retry-After</c>
/// and the draft <c>RateLimit-*</c> headers, and counted in <c>kiln_rate_limited_total{limit}</c> by the bucket that refused.
/// </summary>
internal sealed class RateLimits
{
    private readonly RateLimitOptions _options;
    private readonly MetricFamily<Counter> _limited;
    private readonly bool _keyLimits;
    private readonly RateLimit? _anonymous;
    private readonly Dictionary<KilnRole, RateLimit> _roles;
    private readonly PartitionedRateLimiter<HttpContext> _byAddress;
    private readonly PartitionedRateLimiter<HttpContext> _byKey;
    private readonly PartitionedRateLimiter<HttpContext> _byDeployment;

    public RateLimits(IOptions<KilnOptions> options, MetricsRegistry metrics)
    {
        _options = options.Value.RateLimits;
        _limited = metrics.CreateCounterFamily("kiln_rate_limited_total", "Requests refused with 429 by a rate limit.", "limit");
        _anonymous = IsOn(_options.Anonymous) ? _options.Anonymous : null;
        _roles = _options.Roles
            .Where(r => IsOn(r.Value) && Enum.TryParse<KilnRole>(r.Key, ignoreCase: true, out _))
            .ToDictionary(r => Enum.Parse<KilnRole>(r.Key, ignoreCase: true), r => r.Value);
        _keyLimits = _roles.Count > 0 || _options.Deployments.Values.Any(IsOn);
        _byAddress = PartitionedRateLimiter.Create<HttpContext, string>(ByAddress);
        _byKey = PartitionedRateLimiter.Create<HttpContext, string>(ByKey);
        _byDeployment = PartitionedRateLimiter.Create<HttpContext, string>(ByDeployment);
    }

    /// <summary>
    /// Takes a token for the request: from the key's buckets when <paramref name="key"/> is the caller authentication
    /// found, else from the client address's. False when a bucket is empty, with the 429 written. Keys are free when no
    /// key limits are configured.
    /// </summary>
    public ValueTask<bool> AdmitAsync(HttpContext context, ApiKeyInfo? key)
    {
        if (key is null)
        {
            return _anonymous is null ? ValueTask.FromResult(true) : AdmitAsync(context, _byAddress, "address", _anonymous);
        }

        if (!_keyLimits)
        {
            return ValueTask.FromResult(true);
        }

        return AdmitKeyAsync(context, key);
    }

    private async ValueTask<bool> AdmitKeyAsync(HttpContext context, ApiKeyInfo key)
    {
        if (_roles.TryGetValue(key.Role, out var perRole) && !await AdmitAsync(context, _byKey, "role", perRole))
        {
            return false;
        }

        return DeploymentOf(context) is not { } deployment
            || !_options.Deployments.TryGetValue(deployment, out var perDeployment)
            || !IsOn(perDeployment)
            || await AdmitAsync(context, _byDeployment, "deployment", perDeployment);
    }

    private async ValueTask<bool> AdmitAsync(HttpContext context, PartitionedRateLimiter<HttpContext> limiter, string kind, RateLimit limit)
    {
        using var lease = limiter.AttemptAcquire(context);
        if (lease.IsAcquired)
        {
            return true;
        }

        await WriteRejectionAsync(context, lease, kind, limit);
        return false;
    }

    private RateLimitPartition<string> ByAddress(HttpContext context) =>
        RateLimitPartition.GetTokenBucketLimiter(AddressOf(context), _ => Bucket(_anonymous!));

    /// <summary>Asked only for a caller whose key has a role limit (<see cref="AdmitKeyAsync"/> checked).</summary>
    private RateLimitPartition<string> ByKey(HttpContext context)
    {
        var key = KilnClaims.KeyOf(context.User)!;
        return RateLimitPartition.GetTokenBucketLimiter(key.Id, _ => Bucket(_roles[key.Role]));
    }

    /// <summary>Asked only for a key's call to a deployment with a limit (<see cref="AdmitKeyAsync"/> checked).</summary>
    private RateLimitPartition<string> ByDeployment(HttpContext context)
    {
        var key = KilnClaims.KeyOf(context.User)!;
        var deployment = DeploymentOf(context)!;
        return RateLimitPartition.GetTokenBucketLimiter($"{key.Id}:{deployment}", _ => Bucket(_options.Deployments[deployment]));
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
