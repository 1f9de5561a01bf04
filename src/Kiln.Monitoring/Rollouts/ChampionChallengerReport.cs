namespace Kiln.Monitoring.Rollouts;

/// <summary>Champion versus challenger on labelled predictions. Differences are challenger − champion.</summary>
/// <param name="Champion">The champion's (current model's) summary.</param>
/// <param name="Challenger">The challenger's summary.</param>
/// <param name="AccuracyDifference">
/// The accuracy difference: a Wald interval (unpooled standard error) and a two-sided pooled two-proportion z-test.
/// </param>
/// <param name="AucDifference">The AUC difference by DeLong's test for independent samples (variance = var₁ + var₂), or null without both AUC variances.</param>
/// <param name="RequiredLabelsPerVariant">
/// Labels per variant a two-sided test at the report's level needs to detect the observed accuracy difference with the
/// report's power; null when the observed difference is zero (no finite sample decides it).
/// </param>
/// <param name="AdditionalLabelsPerVariant">
/// How many more labels each variant needs (required minus the smaller variant's count); 0 when the difference is already
/// significant; null when the observed difference is zero.
/// </param>
public sealed record ChampionChallengerReport(
    VariantQualitySummary Champion,
    VariantQualitySummary Challenger,
    DifferenceEstimate AccuracyDifference,
    DifferenceEstimate? AucDifference,
    long? RequiredLabelsPerVariant,
    long? AdditionalLabelsPerVariant);

/// <summary>One variant's quality with confidence intervals.</summary>
/// <param name="Labelled">Labelled predictions.</param>
/// <param name="Correct">Correct predictions.</param>
/// <param name="Accuracy">The accuracy.</param>
/// <param name="AccuracyInterval">The Wilson score interval for the accuracy.</param>
/// <param name="Auc">The ROC AUC, or null without scores or without both classes.</param>
/// <param name="AucVariance">DeLong's variance of the AUC, or null with fewer than two of either class.</param>
/// <param name="AucInterval">AUC ± z·√variance, clipped to [0, 1]; null when the variance is.</param>
public sealed record VariantQualitySummary(
    int Labelled,
    int Correct,
    double Accuracy,
    ConfidenceInterval AccuracyInterval,
    double? Auc,
    double? AucVariance,
    ConfidenceInterval? AucInterval);

/// <summary>An estimated difference with its interval and test.</summary>
/// <param name="Estimate">The difference (challenger − champion).</param>
/// <param name="StandardError">The standard error the interval uses.</param>
/// <param name="Interval">The two-sided confidence interval.</param>
/// <param name="Z">The test statistic.</param>
/// <param name="PValue">The two-sided p-value.</param>
public sealed record DifferenceEstimate(double Estimate, double StandardError, ConfidenceInterval Interval, double Z, double PValue);
