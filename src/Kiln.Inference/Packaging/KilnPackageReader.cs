using System.Text;
using System.Text.Json;
using Kiln.Core;
using Kiln.Core.Packaging;
using Kiln.Core.Serialization;
using Kiln.Inference.Decoding;
using Kiln.Inference.Runtime;

namespace Kiln.Inference.Packaging;

/// <summary>
/// Reads a package Kiln wrote itself (e.g. a trained mlnet model): a folder with <c>kiln-model.json</c>,
/// the manifest, beside the model's files. The model is loaded by its flavor's runtime and run on
/// its input example before the package is accepted; the engine that serves it is recorded in its metadata.
/// </summary>
public static class KilnPackageReader
{
    public const string ManifestFileName = "kiln-model.json";

    public static ImportedPackage Read(string directory, IReadOnlyList<string> files, ImportOptions options, IEnumerable<IModelRuntimeFactory> factories)
    {
        ModelManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(directory, ManifestFileName)), KilnJsonContext.Default.ModelManifest)
                ?? throw KilnException.Invalid(ManifestFileName, "is empty.");
        }
        catch (JsonException e)
        {
            throw KilnException.Invalid(ManifestFileName, $"is not a valid Kiln manifest: {e.Message}");
        }

        if (!files.Contains(manifest.ModelFile))
        {
            throw KilnException.Invalid(ManifestFileName, $"names model file '{manifest.ModelFile}', which is not in the package.");
        }

        var factory = factories.FirstOrDefault(f => f.Flavor == manifest.Flavor)
            ?? throw KilnException.Invalid(ManifestFileName, $"has flavor '{manifest.Flavor}', which this server cannot load.");
        if (manifest.InputExample is not { } example)
        {
            throw KilnException.Invalid(ManifestFileName, "has no input example; Kiln runs every package once before accepting it.");
        }

        var metadata = new Dictionary<string, string>(manifest.Metadata, StringComparer.Ordinal);
        using (var runtime = factory.Load(manifest, path => File.OpenRead(Path.Combine(directory, path))))
        {
            if (runtime is IReportsModelEngine reports)
            {
                foreach (var (key, value) in reports.Engine.Metadata())
                {
                    metadata[key] = value;
                }
            }

            var layout = new InputLayout(runtime.Signature);
            DecodedRequest request;
            try
            {
                request = V2RequestDecoder.Decode(Encoding.UTF8.GetBytes(example.GetRawText()), layout);
            }
            catch (KilnException e)
            {
                throw KilnException.Invalid("input_example", $"does not fit the model's signature: {e.Message}");
            }

            runtime.Predict(request.Batch, null);
        }

        return new ImportedPackage(manifest with { Files = [], Metadata = metadata, Source = options.Source ?? manifest.Source, RunId = options.RunId ?? manifest.RunId }, files);
    }
}
