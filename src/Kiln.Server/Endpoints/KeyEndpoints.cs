using Kiln.Core.Cluster;
using Kiln.Core;
using Kiln.Core.Api;
using Kiln.Core.Registry;
using Kiln.Core.Security;
using Kiln.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Kiln.Server.Audit;
using Kiln.Core.Serialization;

namespace Kiln.Server.Endpoints;

/// <summary>API keys: created by admins, shown once, stored hashed, optionally limited to deployments and expiring, rotatable, revocable.</summary>
internal static class KeyEndpoints
{
    /// <summary>The most deployments one key may be limited to.</summary>
    public const int MaxDeployments = 50;

    private static readonly TimeSpan DefaultOverlap = TimeSpan.FromDays(1);

    public static IEndpointRouteBuilder MapKeyEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/keys").WithTags("API keys").RequireRole(KilnRole.Admin);
        group.MapGet("", List);
        group.MapPost("", Create);
        group.MapPost("/{id}/rotate", Rotate)
            .WithSummary("Issues a new key like this one and lets the old one work until the overlap ends, so clients can switch without downtime.");
        group.MapDelete("/{id}", Revoke);
        return app;
    }

    private static async Task<Ok<IReadOnlyList<ApiKeyInfo>>> List(IApiKeyStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ListAsync(cancellationToken));

    private static async Task<Created<CreatedApiKey>> Create(CreateApiKeyRequest request, ApiKeyIssuer issuer, TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        var created = await IssueAsync(request, issuer, time, cancellationToken);
        AuditNote.Record(context, null, created.Info, KilnJsonContext.Default.ApiKeyInfo);
        return TypedResults.Created($"/api/keys/{created.Info.Id}", created);
    }

    /// <summary>Checks the request and issues a key (the API's and the dashboard's way).</summary>
    internal static async Task<CreatedApiKey> IssueAsync(CreateApiKeyRequest request, ApiKeyIssuer issuer, TimeProvider time, CancellationToken cancellationToken)
    {
        var name = string.IsNullOrWhiteSpace(request.Name) ? throw KilnException.Invalid("name", "is required.") : request.Name.Trim();
        if (name.Length > 128)
        {
            throw KilnException.Invalid("name", "is longer than 128 characters.");
        }

        var role = request.Role ?? throw KilnException.Invalid("role", "is required: viewer, predictor, deployer or admin.");
        var deployments = Deployments(request.Deployments);
        if (deployments is not null && role == KilnRole.Admin)
        {
            throw KilnException.Invalid("deployments", "cannot limit an admin key: admins manage keys and everything else.");
        }

        var expiresAt = Expiry(request.Expires, time.GetUtcNow());
        return await issuer.IssueAsync(name, role, cancellationToken, deployments: deployments, expiresAt: expiresAt);
    }

    private static async Task<Created<RotatedApiKey>> Rotate(
        string id, RotateApiKeyRequest? request, IApiKeyStore store, ApiKeyIssuer issuer, ApiKeyValidator validator, IClusterSignals signals, TimeProvider time,
        HttpContext context, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var overlap = request?.Overlap is not { } text ? DefaultOverlap
            : text.Trim().TrimEnd('s', 'm', 'h', 'd', 'w') == "0" ? TimeSpan.Zero // the old key ends now
            : DurationText.Parse(text, "overlap");
        var old = await store.GetAsync(id, cancellationToken) ?? throw KilnException.NotFound("API key", id);
        if (!old.IsValidAt(now))
        {
            throw KilnException.Conflict($"API key {id} is {(old.RevokedAt is null ? "expired" : "revoked")}; create a new key instead.");
        }

        // The new key lives as long as the old one was meant to; the old one ends with the overlap (or sooner, as it was).
        var lifetime = old.ExpiresAt - old.CreatedAt;
        var created = await issuer.IssueAsync(old.Name, old.Role, cancellationToken, deployments: old.Deployments, expiresAt: lifetime is { } span ? now + span : null);
        var oldEnd = old.ExpiresAt is { } end && end < now + overlap ? end : now + overlap;
        await store.SetExpiryAsync(id, oldEnd, cancellationToken);
        validator.Forget();
        await signals.PublishAsync(ClusterTopic.Keys, id, cancellationToken);
        AuditNote.Record(context, old, old with { ExpiresAt = oldEnd }, KilnJsonContext.Default.ApiKeyInfo);
        return TypedResults.Created($"/api/keys/{created.Info.Id}", new RotatedApiKey(created.Key, created.Info, old with { ExpiresAt = oldEnd }));
    }

    private static async Task<NoContent> Revoke(string id, IApiKeyStore store, ApiKeyValidator validator, IClusterSignals signals, HttpContext context, CancellationToken cancellationToken)
    {
        var before = await store.GetAsync(id, cancellationToken);
        await RevokeAsync(id, store, validator, signals, cancellationToken);
        AuditNote.Record(context, before, await store.GetAsync(id, cancellationToken), KilnJsonContext.Default.ApiKeyInfo);
        return TypedResults.NoContent();
    }

    /// <summary>Revokes a key here and tells the other replicas (the API's and the dashboard's way).</summary>
    internal static async Task RevokeAsync(string id, IApiKeyStore store, ApiKeyValidator validator, IClusterSignals signals, CancellationToken cancellationToken)
    {
        if (!await store.RevokeAsync(id, cancellationToken))
        {
            throw KilnException.NotFound("API key", id);
        }

        validator.Forget();
        // Other replicas forget their cached keys on this signal (and within the cache's lifetime if it is lost).
        await signals.PublishAsync(ClusterTopic.Keys, id, cancellationToken);
    }

    private static string[]? Deployments(IReadOnlyList<string>? requested)
    {
        if (requested is null)
        {
            return null;
        }

        if (requested.Count is 0 or > MaxDeployments)
        {
            throw KilnException.Invalid("deployments", $"must name 1 to {MaxDeployments} deployments (omit it for a key valid for all).");
        }

        for (var i = 0; i < requested.Count; i++)
        {
            ModelName.Validate(requested[i], $"deployments[{i}]");
        }

        return requested.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
    }

    private static DateTimeOffset? Expiry(string? text, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var at = DurationText.TryParse(text, out var span) && !text.Contains(':', StringComparison.Ordinal)
            ? now + span
            : DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var time)
                ? time
                : throw KilnException.Invalid("expires", $"'{text}' is neither a duration from now (e.g. 90d) nor an ISO 8601 time.");
        return at > now ? at : throw KilnException.Invalid("expires", "must be in the future.");
    }
}
