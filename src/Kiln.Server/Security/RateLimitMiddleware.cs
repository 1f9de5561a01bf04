using Kiln.Server.Configuration;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Security;

/// <summary>
/// Applies <see cref="RateLimits"/> between authentication and authorization: a protected endpoint called with a valid
/// key (or token) takes from that key's buckets; open endpoints, and calls whose credential is missing or refused (the
/// 401s authorization is about to write), take from the client address's, so a bad-key flood is throttled like any
/// other. With auth disabled only the open endpoints are limited, as before auth existed.
/// </summary>
internal sealed class RateLimitMiddleware(RequestDelegate next, RateLimits limits, IOptions<KilnOptions> options)
{
    private readonly bool _authEnabled = options.Value.Auth.Enabled;

    public Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null || endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return AdmitAsync(context, null);
        }

        return _authEnabled ? AdmitAsync(context, KilnClaims.KeyOf(context.User)) : next(context);
    }

    private Task AdmitAsync(HttpContext context, Kiln.Core.Security.ApiKeyInfo? key)
    {
        var admitted = limits.AdmitAsync(context, key);
        return admitted.IsCompletedSuccessfully ? admitted.Result ? next(context) : Task.CompletedTask : AwaitAsync(context, admitted);
    }

    private async Task AwaitAsync(HttpContext context, ValueTask<bool> admitted)
    {
        if (await admitted)
        {
            await next(context);
        }
    }
}
