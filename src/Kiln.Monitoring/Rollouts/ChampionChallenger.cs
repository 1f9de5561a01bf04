namespace Kiln.Monitoring.Rollouts;

/// <summary>Compares a challenger model with the champion on labelled binary predictions from independent traffic.</summary>
public static class ChampionChallenger
{
    /// <summary>Accuracy and AUC of both variants, their differences, and how many more labels a decision needs.</summary>
    /// <param name="champion">The champion's labelled predictions.</param>
    /// <param name="challenger">The challenger's labelled predictions.</param>
    /// <param name="confidence">The confidence level of the intervals; the tests' level is 1 − confidence.</param>
    /// <param name="power">The power the sample-size estimate targets.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentException">A variant has no rows, mismatched lengths or a NaN score, or a level is outside (0, 1).</exception>
    public static ChampionChallengerReport Compare(VariantPredictions champion, VariantPredictions challenger, double confidence = 0.95, double power = 0.8)
    {
        ArgumentNullException.ThrowIfNull(champion);
        ArgumentNullException.ThrowIfNull(challenger);
        if (!(confidence > 0 && confidence < 1) || !(power > 0 && power < 1))
        {
            throw new ArgumentException("Confidence and power must be in (0, 1).", nameof(confidence));
        }

        var z = Normal.Quantile(1 - ((1 - confidence) / 2));
        var a = Summarize(champion, confidence, z, nameof(champion));
        var b = Summarize(challenger, confidence, z, nameof(challenger));

        var accuracyDifference = AccuracyDifference(a, b, z);
        var aucDifference = a.AucVariance is { } varianceA && b.AucVariance is { } varianceB
            ? Difference(b.Auc!.Value - a.Auc!.Value, Math.Sqrt(varianceA + varianceB), z)
            : null;

        var alpha = 1 - confidence;
        var required = Proportions.SampleSizePerGroup(a.Accuracy, b.Accuracy, alpha, power);
        long? additional = required is null ? null
            : accuracyDifference.PValue < alpha ? 0
            : Math.Max(0, required.Value - Math.Min(a.Labelled, b.Labelled));
        return new ChampionChallengerReport(a, b, accuracyDifference, aucDifference, required, additional);
    }

    private static VariantQualitySummary Summarize(VariantPredictions variant, double confidence, double z, string name)
    {
        var actual = variant.Actual.Span;
        var predicted = variant.Predicted.Span;
        var scores = variant.Scores.Span;
        var n = actual.Length;
        if (n == 0 || predicted.Length != n || (!scores.IsEmpty && scores.Length != n))
        {
            throw new ArgumentException("Labels, predictions and scores must be non-empty and of equal length.", name);
        }

        var correct = 0;
        for (var i = 0; i < n; i++)
        {
            correct += actual[i] == predicted[i] ? 1 : 0;
        }

        foreach (var score in scores)
        {
            if (double.IsNaN(score))
            {
                throw new ArgumentException("Scores must not be NaN.", name);
            }
        }

        var (auc, variance) = scores.IsEmpty ? (null, null) : DeLong.Compute(actual, scores);
        ConfidenceInterval? aucInterval = auc is { } value && variance is { } v
            ? new ConfidenceInterval(Math.Max(0, value - (z * Math.Sqrt(v))), Math.Min(1, value + (z * Math.Sqrt(v))))
            : null;
        return new VariantQualitySummary(n, correct, (double)correct / n, Proportions.Wilson(correct, n, confidence), auc, variance, aucInterval);
    }

    private static DifferenceEstimate AccuracyDifference(VariantQualitySummary a, VariantQualitySummary b, double z)
    {
        var estimate = b.Accuracy - a.Accuracy;
        var standardError = Math.Sqrt((a.Accuracy * (1 - a.Accuracy) / a.Labelled) + (b.Accuracy * (1 - b.Accuracy) / b.Labelled));
        var statistic = Proportions.PooledZ(a.Correct, a.Labelled, b.Correct, b.Labelled);
        return new DifferenceEstimate(
            estimate,
            standardError,
            new ConfidenceInterval(estimate - (z * standardError), estimate + (z * standardError)),
            statistic,
            TwoSided(statistic));
    }

    private static DifferenceEstimate Difference(double estimate, double standardError, double z)
    {
        var statistic = standardError > 0 ? estimate / standardError
            : estimate == 0 ? 0
            : estimate > 0 ? double.PositiveInfinity : double.NegativeInfinity;
        return new DifferenceEstimate(
            estimate,
            standardError,
            new ConfidenceInterval(estimate - (z * standardError), estimate + (z * standardError)),
            statistic,
            TwoSided(statistic));
    }

    private static double TwoSided(double z) => Math.Min(1, 2 * Normal.Sf(Math.Abs(z)));
}
