namespace Kiln.Inference.Packaging;

/// <summary>Choices a user makes when importing a model package.</summary>
/// <param name="FeatureNames">Column names for a single 2-D input (overrides an MLflow column signature).</param>
/// <param name="Source">Where the package came from, recorded as lineage.</param>
/// <param name="RunId">The tracking run that produced it, when known.</param>
public sealed record ImportOptions(IReadOnlyList<string>? FeatureNames = null, string? Source = null, string? RunId = null);
