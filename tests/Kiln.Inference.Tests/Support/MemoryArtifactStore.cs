using System.Security.Cryptography;
using Kiln.Core;
using Kiln.Core.Packaging;

namespace Kiln.Inference.Tests.Support;

/// <summary>An artifact store in a dictionary, for loading packages without a disk layout.</summary>
internal sealed class MemoryArtifactStore : IArtifactStore
{
    private readonly Dictionary<string, byte[]> _content = new(StringComparer.Ordinal);

    public ArtifactFile Add(string path, byte[] content)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        _content[sha] = content;
        return new ArtifactFile(path, sha, content.Length);
    }

    public async Task<(string Sha256, long Size)> PutAsync(Stream content, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        var file = Add("", buffer.ToArray());
        return (file.Sha256, file.Size);
    }

    public Task<Stream> OpenAsync(string sha256, CancellationToken cancellationToken) =>
        _content.TryGetValue(sha256, out var content)
            ? Task.FromResult<Stream>(new MemoryStream(content, writable: false))
            : throw KilnException.NotFound("Artifact", sha256);

    public Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken) => Task.FromResult(_content.ContainsKey(sha256));
}
