namespace Kiln.Core.Security;

/// <summary>The durable store of API keys, by hash.</summary>
public interface IApiKeyStore
{
    /// <summary>Stores a new key's hash and description.</summary>
    Task CreateAsync(ApiKeyInfo key, string hash, CancellationToken cancellationToken);

    /// <summary>Finds a key that is not revoked by its hash, or null (expiry is the caller's check, against its clock).</summary>
    Task<ApiKeyInfo?> FindActiveByHashAsync(string hash, CancellationToken cancellationToken);

    /// <summary>Lists all keys, revoked ones too.</summary>
    Task<IReadOnlyList<ApiKeyInfo>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Revokes a key by id; false when there is no such key.</summary>
    Task<bool> RevokeAsync(string id, CancellationToken cancellationToken);

    /// <summary>Sets when a key expires (rotation gives the old key an end); false when there is no such key.</summary>
    Task<bool> SetExpiryAsync(string id, DateTimeOffset? expiresAt, CancellationToken cancellationToken);

    /// <summary>Finds a key by id, or null.</summary>
    Task<ApiKeyInfo?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Whether any key exists (revoked or not).</summary>
    Task<bool> AnyAsync(CancellationToken cancellationToken);
}
