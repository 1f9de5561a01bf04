using System.Security.Claims;
using Kiln.Core.Security;
using Kiln.Server.Configuration;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Kiln.Server.Security;

/// <summary>
/// Configures ASP.NET Core's JWT bearer handler as the <see cref="KilnSchemes.Oidc"/> scheme from <c>Kiln:Auth:Oidc</c>:
/// the provider's keys come from its discovery document (read again when a token names a key not seen yet, at most every
/// <see cref="RefreshInterval"/>), and issuer, audience and lifetime are checked. A valid token's claims then become a
/// caller shaped like a key (id <c>oidc:&lt;sub&gt;</c>, the Kiln role from the role claim through <c>RoleMap</c>, the
/// deployments it is limited to), so roles, deployment scopes, rate limits and the audit log treat both alike.
/// </summary>
internal sealed partial class OidcBearerSetup(IOptions<KilnOptions> kiln, IHttpClientFactory clients, TimeProvider time, ILogger<OidcBearerSetup> logger)
    : IConfigureNamedOptions<JwtBearerOptions>
{
    public const string HttpClientName = "kiln-oidc";
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(10);

    private readonly OidcOptions _options = kiln.Value.Auth.Oidc;

    public void Configure(JwtBearerOptions options) => Configure(Options.DefaultName, options);

    public void Configure(string? name, JwtBearerOptions options)
    {
        if (name != KilnSchemes.Oidc || !_options.Enabled)
        {
            return;
        }

        options.Authority = _options.Authority!.TrimEnd('/');
        options.Audience = _options.Audience;
        options.RequireHttpsMetadata = _options.RequireHttpsMetadata;
        options.MapInboundClaims = false;
        options.Backchannel = clients.CreateClient(HttpClientName);
        options.RefreshInterval = RefreshInterval;
        options.TokenValidationParameters.ValidAudience = _options.Audience;
        options.TokenValidationParameters.RequireExpirationTime = true;
        options.TokenValidationParameters.ClockSkew = TimeSpan.FromMinutes(1);
        options.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                if (ToCaller(context.Principal!, context.SecurityToken as JsonWebToken) is { } caller)
                {
                    context.Principal = KilnClaims.Principal(caller, KilnSchemes.Oidc);
                }
                else
                {
                    context.Fail(new AuthenticationRefusal($"The token carries no Kiln role in claim '{_options.RoleClaim}'."));
                }

                return Task.CompletedTask;
            },
            OnAuthenticationFailed = context =>
            {
                // A refusal, never an error: whatever went wrong (the provider unreachable too) is a 401 for this token.
                LogRefused(context.Exception.GetType().Name, context.Exception.Message);
                context.Fail(context.Exception);
                return Task.CompletedTask;
            },
        };
    }

    /// <summary>The caller a validated token stands for, or null when it carries no Kiln role (logged: add the value to <c>RoleMap</c>).</summary>
    private ApiKeyInfo? ToCaller(ClaimsPrincipal claims, JsonWebToken? token)
    {
        var role = RoleOf(claims);
        var subject = claims.FindFirst("sub")?.Value;
        if (role is null || string.IsNullOrEmpty(subject))
        {
            LogNoRole(subject ?? "(no sub)", _options.RoleClaim);
            return null;
        }

        var name = _options.NameClaims.Select(c => claims.FindFirst(c)?.Value).FirstOrDefault(v => !string.IsNullOrEmpty(v)) ?? subject;
        return new ApiKeyInfo
        {
            Id = "oidc:" + (subject.Length <= 59 ? subject : subject[..59]),
            Name = name.Length <= 128 ? name : name[..128],
            Role = role.Value,
            Prefix = "oidc",
            CreatedAt = token is null || token.IssuedAt == DateTime.MinValue ? time.GetUtcNow() : new DateTimeOffset(token.IssuedAt, TimeSpan.Zero),
            ExpiresAt = token is null ? null : new DateTimeOffset(token.ValidTo, TimeSpan.Zero),
            Deployments = DeploymentsOf(claims),
        };
    }

    /// <summary>The highest Kiln role among the role claim's values, mapped through <c>RoleMap</c>.</summary>
    private KilnRole? RoleOf(ClaimsPrincipal claims)
    {
        KilnRole? best = null;
        foreach (var claim in claims.FindAll(_options.RoleClaim))
        {
            var value = _options.RoleMap.TryGetValue(claim.Value, out var mapped) ? mapped : claim.Value;
            if (Enum.TryParse<KilnRole>(value, ignoreCase: true, out var role) && Enum.IsDefined(role) && !int.TryParse(value, out _) && (best is null || role > best))
            {
                best = role;
            }
        }

        return best;
    }

    private string[]? DeploymentsOf(ClaimsPrincipal claims)
    {
        var values = claims.FindAll(_options.DeploymentsClaim)
            .SelectMany(c => c.Value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToArray();
        return values.Length == 0 ? null : values;
    }

    [LoggerMessage(EventId = 1401, Level = LogLevel.Debug, Message = "Bearer token refused: {Reason}: {Detail}")]
    private partial void LogRefused(string reason, string detail);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "Bearer token for {Subject} carries no Kiln role in claim {Claim} (add the value to Kiln:Auth:Oidc:RoleMap)")]
    private partial void LogNoRole(string subject, string claim);
}
