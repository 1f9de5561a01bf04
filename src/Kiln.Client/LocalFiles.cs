namespace Kiln.Client;

/// <summary>The files under a local folder with their '/'-separated relative paths; links are not followed.</summary>
internal static class LocalFiles
{
    public static IReadOnlyList<(string Relative, string Full)> Under(string directory)
    {
        var root = Path.GetFullPath(directory);
        return Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .Select(f => (Path.GetRelativePath(root, f).Replace('\\', '/'), f))
            .OrderBy(f => f.Item1, StringComparer.Ordinal)
            .ToArray();
    }
}
