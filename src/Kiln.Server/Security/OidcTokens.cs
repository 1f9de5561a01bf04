using System.Security.Claims;
using Kiln.Core.Security;
using Kiln.Server.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Kiln.Server.Security;

/// <summary>
/// Validates single sign-on bearer tokens (<c>Kiln:Auth:Oidc</c>): signature against the provider's keys (found through
/// its discovery document, refreshed when a token names a key not seen yet), issuer, audience and lifetime; then reads
/// the Kiln role from the role claim (through <c>RoleMap</c>) and the deployments the caller is limited to. The caller is
/// shaped like a key (id <c>oidc:&lt;sub&gt;</c>), so roles, deployment scopes, rate limits and the audit log treat both alike.
/// </summary>
internal sealed partial class OidcTokens
{
    public const string HttpClientName = "kiln-oidc";

    private readonly OidcOptions _options;
    private readonly ConfigurationManager<OpenIdConnectConfiguration>? _configuration;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly TimeProvider _time;
    private readonly ILogger<OidcTokens> _logger;
    private readonly Lock _rereadGate = new();
    private readonly string? _metadata;
    private readonly HttpDocumentRetriever? _retriever;
    private OpenIdConnectConfiguration? _reread;
    private DateTimeOffset _rereadAt = DateTimeOffset.MinValue;

    private static readonly TimeSpan RereadAtMostEvery = TimeSpan.FromSeconds(10);

    public OidcTokens(IOptions<KilnOptions> options, IHttpClientFactory clients, TimeProvider time, ILogger<OidcTokens> logger)
    {
        _options = options.Value.Auth.Oidc;
        _time = time;
        _logger = logger;
        if (_options.Enabled)
        {
            _metadata = _options.Authority!.TrimEnd('/') + "/.well-known/openid-configuration";
            _retriever = new HttpDocumentRetriever(clients.CreateClient(HttpClientName)) { RequireHttps = _options.RequireHttpsMetadata };
            _configuration = new ConfigurationManager<OpenIdConnectConfiguration>(_metadata, new OpenIdConnectConfigurationRetriever(), _retriever);
        }
    }

    public bool Enabled => _configuration is not null;

    /// <summary>Whether a presented bearer credential is a JWT (three dot-separated parts) rather than a Kiln key.</summary>
    public static bool LooksLikeToken(string credential) =>
        !credential.StartsWith(ApiKeySecret.KeyPrefix, StringComparison.Ordinal) && credential.AsSpan().Count('.') == 2;

    /// <summary>The caller a valid token stands for, or null (why is logged at debug level; a missing role at warning).</summary>
    public async ValueTask<ApiKeyCaller?> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        if (_configuration is null)
        {
            return null;
        }

        TokenValidationResult result;
        try
        {
            result = await ValidateOnceAsync(token, cancellationToken);
            if (!result.IsValid && result.Exception is SecurityTokenSignatureKeyNotFoundException && await RereadKeysAsync(cancellationToken))
            {
                // The provider rotated its keys: validate against the keys just read.
                result = await ValidateOnceAsync(token, cancellationToken);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException)
        {
            LogProviderUnreachable(e, _options.Authority!);
            return null;
        }

        if (!result.IsValid)
        {
            LogRefused(result.Exception?.GetType().Name ?? "invalid");
            return null;
        }

        var claims = result.ClaimsIdentity;
        var role = RoleOf(claims);
        var subject = claims.FindFirst("sub")?.Value;
        if (role is null || string.IsNullOrEmpty(subject))
        {
            LogNoRole(subject ?? "(no sub)", _options.RoleClaim);
            return null;
        }

        var id = "oidc:" + (subject.Length <= 59 ? subject : subject[..59]);
        var name = _options.NameClaims.Select(c => claims.FindFirst(c)?.Value).FirstOrDefault(v => !string.IsNullOrEmpty(v)) ?? subject;
        var jwt = (JsonWebToken)result.SecurityToken;
        var info = new ApiKeyInfo
        {
            Id = id,
            Name = name.Length <= 128 ? name : name[..128],
            Role = role.Value,
            Prefix = "oidc",
            CreatedAt = jwt.IssuedAt == DateTime.MinValue ? _time.GetUtcNow() : new DateTimeOffset(jwt.IssuedAt, TimeSpan.Zero),
            ExpiresAt = new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero),
            Deployments = DeploymentsOf(claims),
        };
        return new ApiKeyCaller(info, KilnClaims.Principal(info.Id, info.Name, info.Role));
    }

    /// <summary>
    /// Reads the discovery document and keys again now, at most once per <see cref="RereadAtMostEvery"/> (so tokens naming
    /// unknown keys cannot make Kiln hammer the provider); true when it did.
    /// </summary>
    private async Task<bool> RereadKeysAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        lock (_rereadGate)
        {
            if (now - _rereadAt < RereadAtMostEvery)
            {
                return false;
            }

            _rereadAt = now;
        }

        _reread = await OpenIdConnectConfigurationRetriever.GetAsync(_metadata!, _retriever!, cancellationToken);
        _configuration!.RequestRefresh();
        return true;
    }

    private async Task<TokenValidationResult> ValidateOnceAsync(string token, CancellationToken cancellationToken)
    {
        // Keys read again after a rotation serve for an hour; then the configuration manager's own (refreshed) copy does.
        var configuration = _reread is { } reread && _time.GetUtcNow() - _rereadAt < TimeSpan.FromHours(1)
            ? reread
            : await _configuration!.GetConfigurationAsync(cancellationToken);
        return await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = configuration.Issuer ?? _options.Authority,
            ValidAudience = _options.Audience,
            IssuerSigningKeys = configuration.SigningKeys,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromMinutes(1),
        });
    }

    /// <summary>The highest Kiln role among the role claim's values, mapped through <c>RoleMap</c>.</summary>
    private KilnRole? RoleOf(ClaimsIdentity claims)
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

    private string[]? DeploymentsOf(ClaimsIdentity claims)
    {
        var values = claims.FindAll(_options.DeploymentsClaim)
            .SelectMany(c => c.Value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToArray();
        return values.Length == 0 ? null : values;
    }

    [LoggerMessage(EventId = 1401, Level = LogLevel.Debug, Message = "Bearer token refused: {Reason}")]
    private partial void LogRefused(string reason);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "Bearer token for {Subject} carries no Kiln role in claim {Claim} (add the value to Kiln:Auth:Oidc:RoleMap)")]
    private partial void LogNoRole(string subject, string claim);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "The identity provider {Authority} cannot be reached; bearer tokens are refused until it can")]
    private partial void LogProviderUnreachable(Exception exception, string authority);
}
