namespace Kiln.Server.Uploads;

/// <summary>A package upload staged on disk, with the form fields that came with it. Disposing deletes the staging folder.</summary>
internal sealed class UploadedPackage(string directory, IReadOnlyDictionary<string, string> fields) : IDisposable
{
    public string Directory { get; } = directory;

    public IReadOnlyDictionary<string, string> Fields { get; } = fields;

    public string? Field(string name) => Fields.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Staging is best-effort cleanup; a leftover folder is removed at the next start.
        }
    }
}
