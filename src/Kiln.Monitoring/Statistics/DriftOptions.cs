namespace Kiln.Monitoring.Statistics;

/// <summary>How <see cref="DriftDetector"/> tests a dataset.</summary>
public sealed record DriftOptions
{
    /// <summary>The defaults: automatic choice per feature, default thresholds, dataset drift at half the features.</summary>
    public static DriftOptions Default { get; } = new();

    /// <summary>The method for every feature not listed in <see cref="FeatureMethods"/>.</summary>
    public DriftMethod Method { get; init; } = DriftMethod.Auto;

    /// <summary>The threshold for every feature; null for each method's default.</summary>
    public double? Threshold { get; init; }

    /// <summary>Per-feature method overrides, by column name.</summary>
    public IReadOnlyDictionary<string, DriftMethod>? FeatureMethods { get; init; }

    /// <summary>The dataset drifted when at least this share of features drifted (default 0.5).</summary>
    public double DatasetDriftShare { get; init; } = 0.5;
}
