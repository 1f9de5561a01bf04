namespace Kiln.Core.Registry;

/// <summary>A named model in the registry, with its aliases.</summary>
public sealed record RegisteredModel
{
    /// <summary>The model's unique name.</summary>
    public required string Name { get; init; }

    /// <summary>A free-text description.</summary>
    public string? Description { get; init; }

    /// <summary>When the model was first registered.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When a version, alias or description last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The highest version number, 0 before the first version.</summary>
    public int LatestVersion { get; init; }

    /// <summary>Aliases (e.g. <c>champion</c>) and the version each points to.</summary>
    public IReadOnlyDictionary<string, int> Aliases { get; init; } = new Dictionary<string, int>();

    /// <summary>Mutable tags.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
}
