using System.Collections.Concurrent;
using Kiln.Core.Security;

namespace Kiln.Server.Security;

/// <summary>
/// Checks presented keys against the store: not revoked, not expired. A valid key is remembered for a short while
/// (never past its expiry) so the serving path does not hit the database per request; revoking through this server forgets it at once,
/// and another replica's revocation takes effect within <see cref="CacheLifetime"/>. A refused key is
/// remembered too, for <see cref="RejectionLifetime"/>, so a client hammering with a bad key costs no
/// database lookups; a key issued through this server is forgotten at once, one issued through another
/// replica is accepted here within that time.
/// </summary>
public sealed class ApiKeyValidator(IApiKeyStore store, TimeProvider time)
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan RejectionLifetime = TimeSpan.FromSeconds(10);
    private const int MaxCachedKeys = 10_000;
    private const int MaxRejectedKeys = 100_000;
    private readonly ConcurrentDictionary<string, CachedKey> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _rejected = new(StringComparer.Ordinal);

    public async ValueTask<ApiKeyCaller?> ValidateAsync(string presentedKey, CancellationToken cancellationToken)
    {
        if (TryRemembered(presentedKey, out var remembered))
        {
            return remembered;
        }

        var hash = ApiKeySecret.Hash(presentedKey);
        var now = time.GetUtcNow();
        var key = await store.FindActiveByHashAsync(hash, cancellationToken);
        if (key is null || !key.IsValidAt(now))
        {
            if (_rejected.Count >= MaxRejectedKeys)
            {
                _rejected.Clear(); // bounded: a flood of distinct bad keys costs lookups again, never memory
            }

            _rejected[hash] = now + RejectionLifetime;
            return null;
        }

        _rejected.TryRemove(hash, out _);

        if (_cache.Count >= MaxCachedKeys)
        {
            _cache.Clear();
        }

        var caller = new ApiKeyCaller(key, KilnClaims.Principal(key, KilnSchemes.ApiKey));
        var cachedUntil = now + CacheLifetime;
        _cache[hash] = new CachedKey(caller, key.ExpiresAt is { } expires && expires < cachedUntil ? expires : cachedUntil);
        return caller;
    }

    /// <summary>
    /// The answer for a key checked within the cache's lifetime, allocating nothing: true with the caller (or null for a
    /// refused key) when remembered; false when <see cref="ValidateAsync"/> must look it up.
    /// </summary>
    public bool TryRemembered(ReadOnlySpan<char> presentedKey, out ApiKeyCaller? caller)
    {
        Span<char> hash = stackalloc char[ApiKeySecret.HashLength];
        ApiKeySecret.Hash(presentedKey, hash);
        var now = time.GetUtcNow();
        if (_cache.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(hash, out var cached) && cached.ExpiresAt > now)
        {
            caller = cached.Caller;
            return true;
        }

        caller = null;
        return _rejected.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(hash, out var until) && until > now;
    }

    /// <summary>Forgets every cached key and refusal (after a revocation or a new key).</summary>
    public void Forget()
    {
        _cache.Clear();
        _rejected.Clear();
    }

    private sealed record CachedKey(ApiKeyCaller Caller, DateTimeOffset ExpiresAt);
}

/// <summary>A valid key and the principal that stands for it on requests.</summary>
public sealed record ApiKeyCaller(ApiKeyInfo Key, System.Security.Claims.ClaimsPrincipal Principal);
