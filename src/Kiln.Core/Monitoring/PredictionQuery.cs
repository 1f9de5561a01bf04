namespace Kiln.Core.Monitoring;

/// <summary>Which logged predictions to read.</summary>
/// <param name="Deployment">The deployment.</param>
/// <param name="Since">Inclusive start, or null for the beginning.</param>
/// <param name="Until">Exclusive end, or null for now.</param>
/// <param name="ModelVersion">Only this model version, or null for all.</param>
/// <param name="AfterId">Paging: only rows with a larger id.</param>
/// <param name="Limit">The most rows to return (null: all, for exports).</param>
public sealed record PredictionQuery(
    string Deployment,
    DateTimeOffset? Since = null,
    DateTimeOffset? Until = null,
    int? ModelVersion = null,
    long AfterId = 0,
    int? Limit = 100);
