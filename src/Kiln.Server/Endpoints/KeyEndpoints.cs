using Kiln.Core.Cluster;
using Kiln.Core;
using Kiln.Core.Api;
using Kiln.Core.Security;
using Kiln.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Kiln.Server.Endpoints;

/// <summary>API keys: created by admins, shown once, stored hashed, revocable.</summary>
internal static class KeyEndpoints
{
    public static IEndpointRouteBuilder MapKeyEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/keys").WithTags("API keys").RequireRole(KilnRole.Admin);
        group.MapGet("", List);
        group.MapPost("", Create);
        group.MapDelete("/{id}", Revoke);
        return app;
    }

    private static async Task<Ok<IReadOnlyList<ApiKeyInfo>>> List(IApiKeyStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ListAsync(cancellationToken));

    private static async Task<Created<CreatedApiKey>> Create(CreateApiKeyRequest request, ApiKeyIssuer issuer, CancellationToken cancellationToken)
    {
        var created = await IssueAsync(request.Name, request.Role, issuer, cancellationToken);
        return TypedResults.Created($"/api/keys/{created.Info.Id}", created);
    }

    /// <summary>Checks the name and role and issues a key (the API's and the dashboard's way).</summary>
    internal static async Task<CreatedApiKey> IssueAsync(string? requestedName, KilnRole? requestedRole, ApiKeyIssuer issuer, CancellationToken cancellationToken)
    {
        var name = string.IsNullOrWhiteSpace(requestedName) ? throw KilnException.Invalid("name", "is required.") : requestedName.Trim();
        if (name.Length > 128)
        {
            throw KilnException.Invalid("name", "is longer than 128 characters.");
        }

        var role = requestedRole ?? throw KilnException.Invalid("role", "is required: viewer, predictor, deployer or admin.");
        return await issuer.IssueAsync(name, role, cancellationToken);
    }

    private static async Task<NoContent> Revoke(string id, IApiKeyStore store, ApiKeyValidator validator, IClusterSignals signals, CancellationToken cancellationToken)
    {
        await RevokeAsync(id, store, validator, signals, cancellationToken);
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
}
