using Kiln.Inference.Routing;

namespace Kiln.Inference.Tests.Routing;

public sealed class StableHashTests
{
    // Pinned: sticky routing must give a key the same variant in every process and release. A change
    // here reshuffles every user's variant and must be a deliberate, announced one.
    [Theory]
    [InlineData("", 17665956581633026203UL)]
    [InlineData("user-42", 10418814234136412593UL)]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c3301", 10389780946662544248UL)]
    public void Hash_KnownKeys_MatchPinnedValues(string key, ulong expected) => Assert.Equal(expected, StableHash.Hash(key));

    [Fact]
    public void Hash_NearIdenticalKeys_Differ()
    {
        var hashes = Enumerable.Range(0, 100_000).Select(i => StableHash.Hash($"user-{i}")).ToHashSet();

        Assert.Equal(100_000, hashes.Count);
    }

    [Fact]
    public void ToUnitOpen_Extremes_StayInsideOpenInterval()
    {
        Assert.True(StableHash.ToUnitOpen(0) > 0);
        Assert.True(StableHash.ToUnitOpen(ulong.MaxValue) < 1);
        Assert.True(Math.Log(StableHash.ToUnitOpen(ulong.MaxValue)) < 0);
    }
}
