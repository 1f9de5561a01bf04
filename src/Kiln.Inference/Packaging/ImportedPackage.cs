using Kiln.Core.Packaging;

namespace Kiln.Inference.Packaging;

/// <summary>A validated package: its manifest (without file addresses yet) and the package-relative paths of its files.</summary>
public sealed record ImportedPackage(ModelManifest Manifest, IReadOnlyList<string> Files);
