using System.Diagnostics.CodeAnalysis;

namespace Kiln.Storage.Artifacts;

/// <summary>
/// Where artifacts live, as the <c>Kiln:Storage:Artifacts</c> setting names it: nothing (the default
/// folder), a folder path, or <c>s3://bucket/optional/prefix</c>.
/// </summary>
public abstract record ArtifactLocation
{
    private ArtifactLocation()
    {
    }

    /// <summary>A local folder, as a full path.</summary>
    public sealed record Folder(string Path) : ArtifactLocation
    {
        public override string ToString() => Path;
    }

    /// <summary>A bucket and a key prefix ('/'-separated, no leading or trailing '/'; empty for the bucket's root).</summary>
    public sealed record S3(string Bucket, string Prefix) : ArtifactLocation
    {
        public override string ToString() => Prefix.Length == 0 ? $"s3://{Bucket}" : $"s3://{Bucket}/{Prefix}";
    }

    /// <summary>Reads the setting; <paramref name="defaultFolder"/> stands for an absent or empty one.</summary>
    /// <exception cref="FormatException">The value is neither a folder path nor an s3:// URL.</exception>
    public static ArtifactLocation Parse(string? value, string defaultFolder) =>
        TryParse(value, defaultFolder, out var location, out var error) ? location : throw new FormatException(error);

    /// <summary>Reads the setting, or says what is wrong with it (without repeating it: a mistyped URL may hold a secret).</summary>
    public static bool TryParse(
        string? value, string defaultFolder, [NotNullWhen(true)] out ArtifactLocation? location, [NotNullWhen(false)] out string? error)
    {
        location = null;
        value = value?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            location = new Folder(System.IO.Path.GetFullPath(defaultFolder));
        }
        else if (value.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            return TryParseS3(value["s3://".Length..], out location, out error);
        }
        else if (value.Contains("://", StringComparison.Ordinal))
        {
            error = $"names a '{value[..value.IndexOf("://", StringComparison.Ordinal)]}://' URL; expected a folder path or s3://bucket/optional/prefix.";
            return false;
        }
        else if (value.IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0)
        {
            error = "contains characters that cannot be in a path; expected a folder path or s3://bucket/optional/prefix.";
            return false;
        }
        else
        {
            location = new Folder(System.IO.Path.GetFullPath(value));
        }

        error = null;
        return true;
    }

    private static bool TryParseS3(string rest, [NotNullWhen(true)] out ArtifactLocation? location, [NotNullWhen(false)] out string? error)
    {
        location = null;
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..].TrimEnd('/');
        if (!IsBucketName(bucket))
        {
            error = "has no valid S3 bucket name after s3:// (3-63 characters: a-z, 0-9, '.' and '-', starting and ending with a letter or digit).";
            return false;
        }

        if (prefix.Length > 0 && (prefix.Split('/').Any(s => s.Length == 0 || s is "." or "..") || prefix.Any(c => char.IsControl(c) || c is '\\' or '?' or '#')))
        {
            error = "has an S3 key prefix with an empty, '.' or '..' segment, or a '\\', '?' or '#'; expected s3://bucket/optional/prefix.";
            return false;
        }

        location = new S3(bucket, prefix);
        error = null;
        return true;
    }

    private static bool IsBucketName(string name) =>
        name.Length is >= 3 and <= 63
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-')
        && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
        && !name.Contains("..", StringComparison.Ordinal);
}
