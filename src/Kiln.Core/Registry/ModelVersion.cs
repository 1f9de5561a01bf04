using Kiln.Core.Packaging;

namespace Kiln.Core.Registry;

/// <summary>An immutable, numbered version of a registered model.</summary>
public sealed record ModelVersion
{
    /// <summary>The registered model's name.</summary>
    public required string ModelName { get; init; }

    /// <summary>The version number, from 1.</summary>
    public required int Version { get; init; }

    /// <summary>A free-text description.</summary>
    public string? Description { get; init; }

    /// <summary>When the version was registered.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The package manifest: flavor, signature, example, lineage, files.</summary>
    public required ModelManifest Manifest { get; init; }

    /// <summary>Tags of this version.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>The aliases that point to this version now.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];
}
