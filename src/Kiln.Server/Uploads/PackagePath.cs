using Kiln.Core;

namespace Kiln.Server.Uploads;

/// <summary>
/// The one check of every path a client names inside Kiln's artifact space: uploaded package files, run artifacts on
/// the native and the MLflow API, model version sources. Relative, '/'-separated, and none of what MLflow's artifact
/// CVEs used: '..' or '.' or blank segments, '%' (so no encoded or double-encoded traversal such as <c>..%2f</c> or
/// <c>%252e</c>), backslashes, ':' (drive letters, schemes), absolute paths, control characters.
/// </summary>
internal static class PackagePath
{
    public const int MaxLength = 1024;

    public static string Validate(string? path, string field = "file")
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw KilnException.Invalid(field, "every uploaded file needs a file name (its path inside the package).");
        }

        var shown = path.Length <= 80 ? path : path[..80] + "…";
        if (path.Length > MaxLength)
        {
            throw KilnException.Invalid(field, $"path '{shown}' is longer than {MaxLength} characters.");
        }

        if (path.Contains('%') || path.Contains('\\') || path.StartsWith('/') || path.Contains(':') || path.Any(char.IsControl))
        {
            throw KilnException.Invalid(field, $"path '{shown}' must be relative, '/'-separated, with no '%', ':', '\\\\' or control characters.");
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment.Trim().Length == 0 || segment == "." || segment == "..")
            {
                throw KilnException.Invalid(field, $"path '{shown}' has an empty, '.' or '..' segment.");
            }
        }

        return path;
    }
}
