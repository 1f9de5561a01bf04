using Kiln.Core.Packaging;

namespace Kiln.Core.Registry;

/// <summary>What is needed to register a version: the store assigns the number.</summary>
/// <param name="ModelName">The model; created when it does not exist yet.</param>
/// <param name="Manifest">The validated package manifest, its files already in the artifact store.</param>
/// <param name="Description">Optional description of the version.</param>
/// <param name="Alias">Optional alias to point at the new version.</param>
/// <param name="Tags">Optional tags.</param>
public sealed record NewModelVersion(
    string ModelName,
    ModelManifest Manifest,
    string? Description = null,
    string? Alias = null,
    IReadOnlyDictionary<string, string>? Tags = null);
