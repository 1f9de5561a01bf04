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

    /// <summary>When it stops being valid, or null for never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>
    /// The deployments it may act on, or null for all. A key limited to deployments may call only endpoints of those
    /// deployments (inference, their status and monitoring), like Cloudera ML's per-model access keys.
    /// </summary>
    public IReadOnlyList<string>? Deployments { get; init; }

    /// <summary>Whether the key is valid at <paramref name="now"/>: not revoked and not expired.</summary>
    public bool IsValidAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);

    /// <summary>Whether the key may act on <paramref name="deployment"/>.</summary>
    public bool Covers(string deployment) => Deployments is null || Deployments.Contains(deployment, StringComparer.Ordinal);
}
