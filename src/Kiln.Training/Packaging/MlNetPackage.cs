using System.Text.Json;
using Kiln.Core;
using Kiln.Core.Packaging;
using Kiln.Core.Serialization;
using Kiln.Inference.MlNet;
using Kiln.Inference.Packaging;
using Kiln.Inference.Runtime;

namespace Kiln.Training.Packaging;

/// <summary>
/// An mlnet package folder: <c>model.zip</c> (the ML.NET model) and <c>kiln-model.json</c> (the
/// <see cref="ModelManifest"/>, whose <see cref="ModelManifest.Files"/> the server fills on registration).
/// </summary>
public static class MlNetPackage
{
    /// <summary>The package's model file.</summary>
    public const string ModelFile = MlNetFlavorOptions.ModelFileName;

    /// <summary>The package's manifest file.</summary>
    public const string ManifestFile = KilnPackageReader.ManifestFileName;

    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    /// <summary>Reads <c>kiln-model.json</c> from a package folder.</summary>
    public static ModelManifest ReadManifest(string directory)
    {
        var path = Path.Combine(directory, ManifestFile);
        if (!File.Exists(path))
        {
            throw KilnException.Invalid(ManifestFile, $"is missing from '{directory}'.");
        }

        try
        {
            var bytes = File.ReadAllBytes(path);
            return JsonSerializer.Deserialize(bytes, KilnJsonContext.Default.ModelManifest)
                ?? throw KilnException.Invalid(ManifestFile, "is empty.");
        }
        catch (JsonException e)
        {
            throw KilnException.Invalid(ManifestFile, $"is not a valid manifest: {e.Message}");
        }
    }

    /// <summary>Writes <c>kiln-model.json</c> (indented) into a package folder.</summary>
    public static void WriteManifest(string directory, ModelManifest manifest)
    {
        using var stream = File.Create(Path.Combine(directory, ManifestFile));
        using var writer = new Utf8JsonWriter(stream, Indented);
        JsonSerializer.Serialize(writer, manifest, KilnJsonContext.Default.ModelManifest);
    }

    /// <summary>Loads a package folder into the mlnet runtime, as the server would after registration.</summary>
    public static IModelRuntime Load(string directory)
    {
        var manifest = ReadManifest(directory);
        var root = Path.GetFullPath(directory);
        return new MlNetRuntimeFactory().Load(manifest, file =>
        {
            var path = Path.GetFullPath(Path.Combine(root, file));
            if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw KilnException.Invalid("modelFile", $"'{file}' lies outside the package.");
            }

            return File.OpenRead(path);
        });
    }

    /// <summary>The files of a package folder, relative and '/'-separated, for an upload.</summary>
    public static IReadOnlyList<string> Files(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(directory, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToArray();
}
