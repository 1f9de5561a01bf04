namespace Kiln.Monitoring.Statistics;

/// <summary>The drift verdict for a dataset.</summary>
/// <param name="Features">One verdict per feature present, with values, on both sides, in reference column order.</param>
/// <param name="DriftedShare">Share of those features that drifted (0 when there are none).</param>
/// <param name="Drifted">Whether the share reached <see cref="DriftOptions.DatasetDriftShare"/>.</param>
public sealed record DatasetDrift(IReadOnlyList<FeatureDrift> Features, double DriftedShare, bool Drifted);
