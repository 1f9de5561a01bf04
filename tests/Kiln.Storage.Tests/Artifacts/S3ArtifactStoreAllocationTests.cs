using Kiln.Storage.Artifacts;
using Kiln.Storage.Tests.Support;

namespace Kiln.Storage.Tests.Artifacts;

/// <summary>Runs alone (no other test allocating meanwhile), since it counts every thread's allocations.</summary>
[CollectionDefinition(nameof(AllocationCollection), DisableParallelization = true)]
public sealed class AllocationCollection;

[Collection(nameof(AllocationCollection))]
public sealed class S3ArtifactStoreAllocationTests : IAsyncLifetime
{
    private readonly S3TestBucket _bucket = new();

    public Task InitializeAsync() => TestServers.S3 is null ? Task.CompletedTask : _bucket.InitializeAsync();

    public Task DisposeAsync() => TestServers.S3 is null ? Task.CompletedTask : _bucket.DisposeAsync();

    [S3Fact]
    public async Task Put_LargeContent_AllocatesFarLessThanItsSize()
    {
        const long size = 96L * 1024 * 1024;
        using var store = _bucket.Store();
        await store.PutAsync(new GeneratedStream(1024, seed: 7), CancellationToken.None); // connections and lazy SDK state

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var (_, stored) = await store.PutAsync(new GeneratedStream(size), CancellationToken.None);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(size, stored);
        // One part buffer (8 MiB) and the SDK's per-request garbage; buffering the content would be ≥ 96 MiB.
        Assert.True(allocated < size / 4, $"Storing {size} bytes allocated {allocated} bytes.");
    }
}
