namespace Kiln.EndToEnd.Tests.Browser;

/// <summary>Where browser tests save screenshots: <c>$KILN_SCREENSHOTS</c>, else <c>artifacts/screenshots/</c> of the repository.</summary>
public static class Screenshots
{
    public static string Folder { get; } = Environment.GetEnvironmentVariable("KILN_SCREENSHOTS") is { Length: > 0 } folder
        ? Path.GetFullPath(folder)
        : Path.Combine(RepositoryRoot(), "artifacts", "screenshots");

    /// <summary>The file a screenshot called <paramref name="name"/> goes to; anything but letters, digits, '-' and '_' becomes '-'.</summary>
    public static string PathFor(string name)
    {
        var safe = new string([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-')]);
        return Path.Combine(Folder, safe + ".png");
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Kiln.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Kiln.slnx not found above the test folder; set KILN_SCREENSHOTS.");
    }
}
