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
        var name = string.IsNullOrWhiteSpace(request.Name) ? throw KilnException.Invalid("name", "is required.") : request.Name.Trim();
        if (name.Length > 128)
        {
            throw KilnException.Invalid("name", "is longer than 128 characters.");
        }

        var role = request.Role ?? throw KilnException.Invalid("role", "is required: viewer, predictor, deployer or admin.");
        var created = await issuer.IssueAsync(name, role, cancellationToken);
        return TypedResults.Created($"/api/keys/{created.Info.Id}", created);
    }

    private static async Task<NoContent> Revoke(string id, IApiKeyStore store, ApiKeyValidator validator, IClusterSignals signals, CancellationToken cancellationToken)
    {
        if (!await store.RevokeAsync(id, cancellationToken))
        {
            throw KilnException.NotFound("API key", id);
        }

        validator.Forget();
        // Other replicas forget their cached keys on this signal (and within the cache's lifetime if it is lost).
        await signals.PublishAsync(ClusterTopic.Keys, id, cancellationToken);
        return TypedResults.NoContent();
    }
}
