namespace Kiln.Core.Packaging;

/// <summary>A file of a model package, stored by content.</summary>
/// <param name="Path">Relative path inside the package, '/'-separated.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the content: the address in the artifact store.</param>
/// <param name="Size">Size in bytes.</param>
public sealed record ArtifactFile(string Path, string Sha256, long Size);
