using Kiln.Core;

namespace Kiln.Server.Uploads;

/// <summary>
/// Validates the relative path of an uploaded file: no absolute paths, no '..', no backslashes, no
/// control characters, no empty or hidden-traversal segments. MLflow's artifact CVEs (path
/// traversal through file names) are the checklist.
/// </summary>
internal static class PackagePath
{
    public const int MaxLength = 512;

    public static string Validate(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw KilnException.Invalid("file", "every uploaded file needs a file name (its path inside the package).");
        }

        var shown = path.Length <= 80 ? path : path[..80] + "…";
        if (path.Length > MaxLength)
        {
            throw KilnException.Invalid("file", $"path '{shown}' is longer than {MaxLength} characters.");
        }

        if (path.Contains('\\') || path.StartsWith('/') || path.Contains(':') || path.Any(char.IsControl))
        {
            throw KilnException.Invalid("file", $"path '{shown}' must be relative, '/'-separated, with no ':', '\\\\' or control characters.");
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == "." || segment == "..")
            {
                throw KilnException.Invalid("file", $"path '{shown}' has an empty, '.' or '..' segment.");
            }
        }

        return path;
    }
}
