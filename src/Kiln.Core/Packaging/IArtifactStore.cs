namespace Kiln.Core.Packaging;

/// <summary>Content-addressed storage of package files: a file is stored once, under its SHA-256.</summary>
public interface IArtifactStore
{
    /// <summary>Stores content read from a stream; returns its address and size.</summary>
    Task<(string Sha256, long Size)> PutAsync(Stream content, CancellationToken cancellationToken);

    /// <summary>
    /// Opens stored content for reading; throws <see cref="KilnException"/> (not found) when absent,
    /// (invalid) when <paramref name="sha256"/> is not a lower-case hex SHA-256.
    /// </summary>
    Task<Stream> OpenAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>Whether content with this address is stored.</summary>
    Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken);
}
