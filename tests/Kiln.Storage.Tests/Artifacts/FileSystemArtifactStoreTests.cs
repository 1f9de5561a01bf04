using System.Text;
using Kiln.Storage.Artifacts;

namespace Kiln.Storage.Tests.Artifacts;

public sealed class FileSystemArtifactStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "kiln-artifacts-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Start_RemovesStagingFilesACrashLeft_AndKeepsOnesBeingWritten()
    {
        var staging = Path.Combine(_root, "staging");
        Directory.CreateDirectory(staging);
        var leftover = Path.Combine(staging, "crashed-upload");
        var live = Path.Combine(staging, "upload-in-progress");
        await File.WriteAllTextAsync(leftover, "half a model");
        await File.WriteAllTextAsync(live, "the first megabytes");
        File.SetLastWriteTimeUtc(leftover, DateTime.UtcNow - FileSystemArtifactStore.LeftoverAge - TimeSpan.FromMinutes(1));

        var store = new FileSystemArtifactStore(_root);

        Assert.False(File.Exists(leftover));
        Assert.True(File.Exists(live));
        var (sha, size) = await store.PutAsync(new MemoryStream(Encoding.UTF8.GetBytes("model")), default);
        Assert.Equal(5, size);
        Assert.True(await store.ExistsAsync(sha, default));
        Assert.Equal(["upload-in-progress"], Directory.EnumerateFiles(staging).Select(Path.GetFileName));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
