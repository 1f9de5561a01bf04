using Kiln.Core.Security;

namespace Kiln.Core.Tests;

public class ApiKeySecretTests
{
    [Fact]
    public void Generate_GivesDistinctPrefixedKeys()
    {
        var a = ApiKeySecret.Generate();
        var b = ApiKeySecret.Generate();

        Assert.StartsWith(ApiKeySecret.KeyPrefix, a);
        Assert.NotEqual(a, b);
        Assert.True(a.Length >= 40);
    }

    [Fact]
    public void Hash_IsStableLowerHexAndNeverTheKey()
    {
        var key = ApiKeySecret.Generate();

        var hash = ApiKeySecret.Hash(key);

        Assert.Equal(hash, ApiKeySecret.Hash(key));
        Assert.Equal(64, hash.Length);
        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.DoesNotContain(key[5..], hash, StringComparison.Ordinal);
        Span<char> written = stackalloc char[ApiKeySecret.HashLength];
        ApiKeySecret.Hash(("Bearer " + key).AsSpan(7), written);
        Assert.Equal(hash, written.ToString());
    }
}
