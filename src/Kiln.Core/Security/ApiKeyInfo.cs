namespace Kiln.Core.Security;

/// <summary>What is known about an API key; never the key itself, which is shown once at creation.</summary>
public sealed record ApiKeyInfo
{
    /// <summary>The key's id.</summary>
    public required string Id { get; init; }

    /// <summary>A name for people (e.g. <c>ci-pipeline</c>).</summary>
    public required string Name { get; init; }

    /// <summary>What the key may do.</summary>
    public required KilnRole Role { get; init; }

    /// <summary>The first characters of the key, to recognise it.</summary>
    public required string Prefix { get; init; }

    /// <summary>When the key was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was revoked, or null while valid.</summary>
    public DateTimeOffset? RevokedAt { get; init; }
}
