using System.Text.Json;

namespace Kiln.Core.Packaging;

/// <summary>
/// The one manifest of a model package: how to load it, what it takes and gives, an example
/// input, and where it came from. Stored with every model version.
/// </summary>
public sealed record ModelManifest
{
    /// <summary>The flavor, e.g. <see cref="ModelFlavors.Onnx"/>.</summary>
    public required string Flavor { get; init; }

    /// <summary>The package path of the file the runtime loads (e.g. <c>model.onnx</c>).</summary>
    public required string ModelFile { get; init; }

    /// <summary>The model's inputs and outputs.</summary>
    public required ModelSignature Signature { get; init; }

    /// <summary>An example request in Open Inference Protocol v2 form (<c>{"inputs": [...]}</c>), used to warm the model.</summary>
    public JsonElement? InputExample { get; init; }

    /// <summary>Free-form metadata (from the ONNX graph's metadata_props or MLflow's <c>metadata</c>).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Where the model came from: the file or directory it was imported from, or a run's artifact URI.</summary>
    public string? Source { get; init; }

    /// <summary>The tracking run that produced the model, when known.</summary>
    public string? RunId { get; init; }

    /// <summary>Per-column statistics of the training data, the baseline for drift; null when unknown (imported models).</summary>
    public DataProfile? Profile { get; init; }

    /// <summary>Evaluation metrics recorded with the model (e.g. validation AUC).</summary>
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }

    /// <summary>Flavor-specific settings (e.g. how the mlnet flavor maps named inputs onto its vectors).</summary>
    public IReadOnlyDictionary<string, string>? FlavorOptions { get; init; }

    /// <summary>Every file of the package.</summary>
    public IReadOnlyList<ArtifactFile> Files { get; init; } = [];
}
