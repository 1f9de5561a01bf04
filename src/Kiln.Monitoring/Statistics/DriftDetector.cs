using Kiln.Core.Packaging;

namespace Kiln.Monitoring.Statistics;

/// <summary>
/// Chooses and runs per-feature drift tests as Evidently does by default, and aggregates them into dataset drift.
/// Auto choice: a numeric feature whose reference has more than 5 distinct values (see
/// <see cref="NumericDistribution.DistinctCount"/>) gets Kolmogorov–Smirnov when the reference has at most 1000
/// values, else the normed Wasserstein distance; a categorical feature, or a numeric one with at most 5 distinct
/// values (read as categories), gets chi-square when the reference has at most 1000 values, else the
/// Jensen–Shannon distance. Evidently uses a two-proportion Z-test for binary categorical features; Kiln uses
/// chi-square for those too (with two categories the two tests agree asymptotically).
/// </summary>
public static partial class DriftDetector
{
    /// <summary>Reference sizes up to this get the statistical tests; larger ones the distances.</summary>
    public const long SmallReference = 1000;

    /// <summary>Numeric features with at most this many distinct reference values are tested as categories.</summary>
    public const int MaxCategoricalNumericValues = 5;

    /// <summary>The default p-value threshold of KS and chi-square.</summary>
    public const double DefaultPValueThreshold = 0.05;

    /// <summary>The default threshold of the distances (Wasserstein normed, Jensen–Shannon, PSI).</summary>
    public const double DefaultDistanceThreshold = 0.1;

    /// <summary>Tests a numeric feature.</summary>
    /// <param name="name">The feature's name.</param>
    /// <param name="reference">The reference distribution.</param>
    /// <param name="current">The current distribution.</param>
    /// <param name="method">The test, or <see cref="DriftMethod.Auto"/>.</param>
    /// <param name="threshold">The threshold, or null for the method's default.</param>
    /// <returns>The verdict.</returns>
    public static FeatureDrift Numeric(string name, NumericDistribution reference, NumericDistribution current, DriftMethod method = DriftMethod.Auto, double? threshold = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        if (method == DriftMethod.Auto)
        {
            var categorical = reference.DistinctCount <= MaxCategoricalNumericValues;
            method = (categorical, reference.Count <= SmallReference) switch
            {
                (false, true) => DriftMethod.KolmogorovSmirnov,
                (false, false) => DriftMethod.Wasserstein,
                (true, true) => DriftMethod.ChiSquare,
                (true, false) => DriftMethod.JensenShannon,
            };
        }

        double statistic;
        double? pValue = null;
        switch (method)
        {
            case DriftMethod.KolmogorovSmirnov:
                var ks = KolmogorovSmirnovTest.Test(reference, current);
                (statistic, pValue) = (ks.Statistic, ks.PValue);
                break;
            case DriftMethod.Wasserstein:
                statistic = WassersteinDistance.ComputeNormed(reference, current);
                break;
            case DriftMethod.Psi:
                statistic = PopulationStabilityIndex.Compute(reference, current);
                break;
            default:
                return Categorical(name, CategoryDistribution.FromNumeric(reference), CategoryDistribution.FromNumeric(current), method, threshold) with
                {
                    Kind = ColumnProfile.NumericKind,
                    ReferenceCount = reference.Count,
                    CurrentCount = current.Count,
                };
        }

        return Verdict(name, ColumnProfile.NumericKind, method, statistic, pValue, threshold, reference.Count, current.Count);
    }

    /// <summary>Tests a categorical feature.</summary>
    /// <param name="name">The feature's name.</param>
    /// <param name="reference">The reference counts.</param>
    /// <param name="current">The current counts.</param>
    /// <param name="method">Chi-square, Jensen–Shannon, PSI, or <see cref="DriftMethod.Auto"/>.</param>
    /// <param name="threshold">The threshold, or null for the method's default.</param>
    /// <returns>The verdict.</returns>
    /// <exception cref="ArgumentException">The method needs numeric values.</exception>
    public static FeatureDrift Categorical(string name, CategoryDistribution reference, CategoryDistribution current, DriftMethod method = DriftMethod.Auto, double? threshold = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        if (method == DriftMethod.Auto)
        {
            method = reference.Total <= SmallReference ? DriftMethod.ChiSquare : DriftMethod.JensenShannon;
        }

        double statistic;
        double? pValue = null;
        switch (method)
        {
            case DriftMethod.ChiSquare:
                var chi = ChiSquareTest.Test(reference, current);
                (statistic, pValue) = (chi.Statistic, chi.PValue);
                break;
            case DriftMethod.JensenShannon:
                statistic = JensenShannonDistance.Compute(reference, current);
                break;
            case DriftMethod.Psi:
                statistic = PopulationStabilityIndex.Compute(reference, current);
                break;
            default:
                throw new ArgumentException($"{method} needs numeric values.", nameof(method));
        }

        return Verdict(name, ColumnProfile.CategoricalKind, method, statistic, pValue, threshold, (long)Math.Round(reference.Total), (long)Math.Round(current.Total));
    }

    /// <summary>Aggregates feature verdicts into dataset drift.</summary>
    /// <param name="features">The feature verdicts.</param>
    /// <param name="driftShare">The share of drifted features from which the dataset drifted.</param>
    /// <returns>The dataset verdict.</returns>
    public static DatasetDrift Aggregate(IReadOnlyList<FeatureDrift> features, double driftShare = 0.5)
    {
        ArgumentNullException.ThrowIfNull(features);
        var drifted = 0;
        foreach (var feature in features)
        {
            drifted += feature.Drifted ? 1 : 0;
        }

        var share = features.Count == 0 ? 0 : (double)drifted / features.Count;
        return new DatasetDrift(features, share, features.Count > 0 && share >= driftShare);
    }

    private static FeatureDrift Verdict(string name, string kind, DriftMethod method, double statistic, double? pValue, double? threshold, long referenceCount, long currentCount)
    {
        if (pValue is { } p)
        {
            var alpha = threshold ?? DefaultPValueThreshold;
            return new FeatureDrift(name, kind, method, statistic, p, alpha, p < alpha, referenceCount, currentCount);
        }

        var limit = threshold ?? DefaultDistanceThreshold;
        return new FeatureDrift(name, kind, method, statistic, null, limit, statistic >= limit, referenceCount, currentCount);
    }
}
