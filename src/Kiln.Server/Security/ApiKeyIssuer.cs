using System.Security.Cryptography;
using Kiln.Core.Api;
using Kiln.Core.Security;

namespace Kiln.Server.Security;

/// <summary>Creates keys: a random secret returned once, its hash stored.</summary>
internal sealed class ApiKeyIssuer(IApiKeyStore store, ApiKeyValidator validator, TimeProvider time)
{
    public async Task<CreatedApiKey> IssueAsync(
        string name, KilnRole role, CancellationToken cancellationToken, string? secret = null, IReadOnlyList<string>? deployments = null, DateTimeOffset? expiresAt = null)
    {
        var key = secret ?? ApiKeySecret.Generate();
        var info = new ApiKeyInfo
        {
            Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            Name = name,
            Role = role,
            Prefix = ApiKeySecret.DisplayPrefix(key),
            CreatedAt = time.GetUtcNow(),
            Deployments = deployments,
            ExpiresAt = expiresAt,
        };
        await store.CreateAsync(info, ApiKeySecret.Hash(key), cancellationToken);
        validator.Forget(); // the secret may have been tried (and refused) before it existed
        return new CreatedApiKey(key, info);
    }
}
