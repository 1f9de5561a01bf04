namespace Kiln.Core.Tracking;

/// <summary>A run search: which experiments, an MLflow-style filter, ordering and paging.</summary>
/// <param name="ExperimentIds">The experiments to search (empty: all).</param>
/// <param name="Filter">e.g. <c>metrics.auc &gt; 0.8 and params.algorithm = 'lightgbm'</c>.</param>
/// <param name="OrderBy">e.g. <c>metrics.auc DESC</c>, <c>attributes.start_time</c>.</param>
/// <param name="MaxResults">Page size, 1–50000.</param>
/// <param name="PageToken">The token of the page to read, from a previous page.</param>
public sealed record RunQuery(
    IReadOnlyList<string>? ExperimentIds = null,
    string? Filter = null,
    IReadOnlyList<string>? OrderBy = null,
    int MaxResults = 1000,
    string? PageToken = null);

/// <summary>One page of search results.</summary>
/// <param name="Runs">The runs on this page.</param>
/// <param name="NextPageToken">The token for the next page, or null on the last.</param>
public sealed record RunPage(IReadOnlyList<Run> Runs, string? NextPageToken);
