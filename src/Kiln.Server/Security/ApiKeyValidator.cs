using System.Collections.Concurrent;
using Kiln.Core.Security;

namespace Kiln.Server.Security;

/// <summary>
/// Checks presented keys against the store. A valid key is remembered for a short while so the
/// serving path does not hit the database per request; revoking through this server forgets it at once,
/// and another replica's revocation takes effect within <see cref="CacheLifetime"/>.
/// </summary>
public sealed class ApiKeyValidator(IApiKeyStore store, TimeProvider time)
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(30);
    private const int MaxCachedKeys = 10_000;
    private readonly ConcurrentDictionary<string, CachedKey> _cache = new(StringComparer.Ordinal);

    public async ValueTask<ApiKeyCaller?> ValidateAsync(string presentedKey, CancellationToken cancellationToken)
    {
        var hash = ApiKeySecret.Hash(presentedKey);
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(hash, out var cached) && cached.ExpiresAt > now)
        {
            return cached.Caller;
        }

        var key = await store.FindActiveByHashAsync(hash, cancellationToken);
        if (key is null)
        {
            return null;
        }

        if (_cache.Count >= MaxCachedKeys)
        {
            _cache.Clear();
        }

        var caller = new ApiKeyCaller(key, KilnClaims.Principal(key.Id, key.Name, key.Role));
        _cache[hash] = new CachedKey(caller, now + CacheLifetime);
        return caller;
    }

    /// <summary>Forgets every cached key (after a revocation).</summary>
    public void Forget() => _cache.Clear();

    private sealed record CachedKey(ApiKeyCaller Caller, DateTimeOffset ExpiresAt);
}

/// <summary>A valid key and the principal that stands for it on requests.</summary>
public sealed record ApiKeyCaller(ApiKeyInfo Key, System.Security.Claims.ClaimsPrincipal Principal);
