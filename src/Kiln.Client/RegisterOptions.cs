namespace Kiln.Client;

/// <summary>Optional settings of a model registration.</summary>
public sealed record RegisterOptions
{
    /// <summary>An alias to point at the new version (e.g. <c>champion</c>).</summary>
    public string? Alias { get; init; }

    /// <summary>Column names for a model with one 2-D input, so record-style requests map onto it.</summary>
    public IReadOnlyList<string>? FeatureNames { get; init; }

    /// <summary>A description of the version.</summary>
    public string? Description { get; init; }

    /// <summary>Where the model came from (defaults to the uploaded path).</summary>
    public string? Source { get; init; }

    /// <summary>The tracking run that produced the model.</summary>
    public string? RunId { get; init; }
}
