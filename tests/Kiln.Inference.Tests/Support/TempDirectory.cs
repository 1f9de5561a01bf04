namespace Kiln.Inference.Tests.Support;

/// <summary>A fresh directory under the system temp folder, deleted with everything in it on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kiln-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Copies a generated test model (file or MLflow directory) into this directory.</summary>
    public TempDirectory WithModel(string name, string? targetName = null)
    {
        var source = TestModels.PathOf(name);
        if (Directory.Exists(source))
        {
            foreach (var file in Directory.EnumerateFiles(source))
            {
                File.Copy(file, System.IO.Path.Combine(Path, System.IO.Path.GetFileName(file)));
            }
        }
        else
        {
            File.Copy(source, System.IO.Path.Combine(Path, targetName ?? name));
        }

        return this;
    }

    public TempDirectory WithFile(string name, string text)
    {
        File.WriteAllText(System.IO.Path.Combine(Path, name), text);
        return this;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
    }
}
