using System.Text.Json.Serialization;

namespace Kiln.Core.Monitoring.Alerts;

/// <summary>What an alert rule watches. Each kind says what its signal's value means.</summary>
public enum AlertKind
{
    /// <summary>The share of inference requests answered with a server error (5xx) over the window, 0–1. Client errors (4xx) do not count.</summary>
    [JsonStringEnumMemberName("error_rate")]
    ErrorRate,

    /// <summary>The 99th percentile of request latency over the window, in milliseconds.</summary>
    [JsonStringEnumMemberName("latency_p99")]
    LatencyP99,

    /// <summary>The share of features whose distribution drifted from the reference, 0–1.</summary>
    [JsonStringEnumMemberName("dataset_drift")]
    DatasetDrift,

    /// <summary>One feature's drift statistic against the reference (the rule names the feature).</summary>
    [JsonStringEnumMemberName("feature_drift")]
    FeatureDrift,

    /// <summary>A live quality metric (the rule names it: accuracy, auc, f1, rmse…) over the window.</summary>
    [JsonStringEnumMemberName("quality")]
    Quality,

    /// <summary>How much worse a live quality metric is than the version's validation metric (positive = worse).</summary>
    [JsonStringEnumMemberName("quality_drop")]
    QualityDrop,

    /// <summary>The share of logged predictions in the window that have a ground-truth label, 0–1.</summary>
    [JsonStringEnumMemberName("label_coverage")]
    LabelCoverage,
}
