using System.Security.Cryptography;
using Kiln.Core;
using Kiln.Core.Packaging;

namespace Kiln.Storage.Artifacts;

/// <summary>
/// Content-addressed files under a local folder: <c>sha256/ab/abcdef…</c>. Content is written to a
/// temporary file while hashed, then moved into place, so a reader never sees a partial file.
/// </summary>
public sealed class FileSystemArtifactStore : IArtifactStore
{
    private readonly string _root;
    private readonly string _staging;

    public FileSystemArtifactStore(string root)
    {
        _root = Path.GetFullPath(Path.Combine(root, "sha256"));
        _staging = Path.GetFullPath(Path.Combine(root, "staging"));
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(_staging);
        RemoveLeftovers();
    }

    /// <summary>How long a staging file may go unwritten before it counts as left over by a process that died mid-upload.</summary>
    public static readonly TimeSpan LeftoverAge = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Deletes staging files a crashed process left half-written. An upload in progress writes its file all the time, so
    /// only files untouched for <see cref="LeftoverAge"/> go (another process sharing the folder may be uploading now).
    /// </summary>
    private void RemoveLeftovers()
    {
        var cutoff = DateTime.UtcNow - LeftoverAge;
        foreach (var file in Directory.EnumerateFiles(_staging))
        {
            try
            {
                if (File.GetLastWriteTimeUtc(file) < cutoff)
                {
                    File.Delete(file);
                }
            }
            catch (IOException)
            {
                // in use or gone already: the next start looks again
            }
        }
    }

    public async Task<(string Sha256, long Size)> PutAsync(Stream content, CancellationToken cancellationToken)
    {
        var temp = Path.Combine(_staging, Guid.NewGuid().ToString("N"));
        string sha;
        long size;
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[81920];
                int read;
                size = 0;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    size += read;
                }

                sha = Convert.ToHexStringLower(hash.GetHashAndReset());
                await file.FlushAsync(cancellationToken);
            }

            var target = PathOf(sha);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (!File.Exists(target))
            {
                File.Move(temp, target, overwrite: true);
            }
        }
        finally
        {
            File.Delete(temp);
        }

        return (sha, size);
    }

    public Task<Stream> OpenAsync(string sha256, CancellationToken cancellationToken)
    {
        var path = PathOf(sha256);
        return File.Exists(path)
            ? Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920))
            : throw KilnException.NotFound("Artifact", sha256);
    }

    public Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken) => Task.FromResult(File.Exists(PathOf(sha256)));

    private string PathOf(string sha256)
    {
        ArtifactAddress.Validate(sha256);
        return Path.Combine(_root, sha256[..2], sha256);
    }
}
