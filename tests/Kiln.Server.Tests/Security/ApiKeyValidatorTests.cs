using Kiln.Core.Security;
using Kiln.Server.Security;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Server.Tests.Security;

public sealed class ApiKeyValidatorTests
{
    [Fact]
    public async Task Validate_TheSameBadKeyAgain_CostsNoLookupUntilTheRefusalExpires()
    {
        var store = new CountingStore();
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var validator = new ApiKeyValidator(store, time);

        for (var i = 0; i < 100; i++)
        {
            Assert.Null(await validator.ValidateAsync("kiln_not_a_key", default));
        }

        Assert.Equal(1, store.Lookups);
        time.Advance(ApiKeyValidator.RejectionLifetime + TimeSpan.FromSeconds(1));
        Assert.Null(await validator.ValidateAsync("kiln_not_a_key", default));
        Assert.Equal(2, store.Lookups);
    }

    [Fact]
    public async Task Validate_AKeyRefusedBeforeItWasIssued_IsAcceptedOnceForgotten()
    {
        var store = new CountingStore();
        var validator = new ApiKeyValidator(store, new FakeTimeProvider(DateTimeOffset.UnixEpoch));
        Assert.Null(await validator.ValidateAsync("kiln_future_key", default));

        store.Valid[ApiKeySecret.Hash("kiln_future_key")] = new ApiKeyInfo { Id = "k1", Name = "future", Role = KilnRole.Viewer, Prefix = "kiln_fut", CreatedAt = DateTimeOffset.UnixEpoch };
        validator.Forget();

        Assert.Equal("future", (await validator.ValidateAsync("kiln_future_key", default))?.Key.Name);
    }

    [Fact]
    public async Task Remembered_AValidKeyWithinItsLifetime_IsAnsweredFromTheSpanWithoutALookupUntilItExpires()
    {
        var store = new CountingStore();
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var validator = new ApiKeyValidator(store, time);
        store.Valid[ApiKeySecret.Hash("kiln_good_key")] = new ApiKeyInfo { Id = "k1", Name = "good", Role = KilnRole.Predictor, Prefix = "kiln_goo", CreatedAt = DateTimeOffset.UnixEpoch };

        var unseen = validator.TryRemembered("Bearer kiln_good_key".AsSpan(7), out _);
        var validated = await validator.ValidateAsync("kiln_good_key", default);
        var remembered = validator.TryRemembered("Bearer kiln_good_key".AsSpan(7), out var caller);
        var refusedRemembered = validator.TryRemembered("kiln_other_key", out _);
        time.Advance(ApiKeyValidator.CacheLifetime + TimeSpan.FromSeconds(1));
        var expired = validator.TryRemembered("kiln_good_key", out _);

        Assert.False(unseen);
        Assert.True(remembered);
        Assert.Same(validated, caller);
        Assert.False(refusedRemembered);
        Assert.False(expired);
        Assert.Equal(1, store.Lookups);
    }

    private sealed class CountingStore : IApiKeyStore
    {
        public Dictionary<string, ApiKeyInfo> Valid { get; } = [];

        public int Lookups { get; private set; }

        public Task<ApiKeyInfo?> FindActiveByHashAsync(string hash, CancellationToken cancellationToken)
        {
            Lookups++;
            return Task.FromResult(Valid.GetValueOrDefault(hash));
        }

        public Task CreateAsync(ApiKeyInfo key, string hash, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ApiKeyInfo>> ListAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> RevokeAsync(string id, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> AnyAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> SetExpiryAsync(string id, DateTimeOffset? expiresAt, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ApiKeyInfo?> GetAsync(string id, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
