namespace Kiln.Core.Packaging;

/// <summary>Content-addressed storage of package files: a file is stored once, under its SHA-256.</summary>
public interface IArtifactStore
{
    /// <summary>Stores content read from a stream; returns its address and size.</summary>
    Task<(string Sha256, long Size)> PutAsync(Stream content, CancellationToken cancellationToken);

    /// <summary>Opens stored content for reading; throws <see cref="KilnException"/> (not found) when absent.</summary>
    Stream Open(string sha256);

    /// <summary>Whether content with this address is stored.</summary>
    bool Exists(string sha256);
}
