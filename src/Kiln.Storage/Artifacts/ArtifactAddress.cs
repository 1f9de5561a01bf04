using Kiln.Core;

namespace Kiln.Storage.Artifacts;

/// <summary>The layout every artifact store shares: <c>sha256/ab/abcdef…</c> under its root.</summary>
internal static class ArtifactAddress
{
    /// <summary>The address relative to a store's root, '/'-separated; throws when the SHA-256 is malformed.</summary>
    public static string RelativeKey(string sha256)
    {
        Validate(sha256);
        return $"sha256/{sha256[..2]}/{sha256}";
    }

    public static void Validate(string sha256)
    {
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
        {
            throw KilnException.Invalid("sha256", "is not a lower-case hex SHA-256.");
        }
    }
}
