namespace Kiln.Core.Tracking;

/// <summary>A file logged by a run, stored by content.</summary>
/// <param name="Path">Relative path within the run's artifacts.</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="Sha256">Address in the artifact store.</param>
public sealed record RunArtifact(string Path, long Size, string Sha256);
