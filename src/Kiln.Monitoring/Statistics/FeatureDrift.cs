namespace Kiln.Monitoring.Statistics;

/// <summary>The drift verdict for one feature.</summary>
/// <param name="Name">The feature's name.</param>
/// <param name="Kind"><c>numeric</c> or <c>categorical</c> (as profiled).</param>
/// <param name="Method">The test that was run.</param>
/// <param name="Statistic">The test statistic or distance (KS D, chi-square, normed Wasserstein, JS distance, PSI).</param>
/// <param name="PValue">The p-value for KS and chi-square; null for distances.</param>
/// <param name="Threshold">The p-value below which (tests) or the distance from which (distances) the feature drifted.</param>
/// <param name="Drifted">Whether the feature drifted.</param>
/// <param name="ReferenceCount">Non-missing reference values.</param>
/// <param name="CurrentCount">Non-missing current values.</param>
public sealed record FeatureDrift(
    string Name,
    string Kind,
    DriftMethod Method,
    double Statistic,
    double? PValue,
    double Threshold,
    bool Drifted,
    long ReferenceCount,
    long CurrentCount);
