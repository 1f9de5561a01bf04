using Kiln.Monitoring.Rollouts;

namespace Kiln.Monitoring.Evaluation;

/// <summary>
/// A candidate against a champion scored on the same rows. <see cref="Gain"/> is oriented so that more is better
/// (for a loss, champion minus candidate). <see cref="PValue"/> is one-sided, for "the true gain is at most the minimum
/// gain": a small p-value says the candidate beats the champion by more than that, beyond chance.
/// </summary>
/// <param name="Metric">The metric compared.</param>
/// <param name="HigherIsBetter">Whether larger values of the metric are better.</param>
/// <param name="Candidate">The candidate's value.</param>
/// <param name="Champion">The champion's value.</param>
/// <param name="Gain">The improvement, oriented so that positive is better.</param>
/// <param name="StandardError">The standard error of the gain, from the paired test.</param>
/// <param name="PValue">One-sided p-value against "gain ≤ minimum gain".</param>
/// <param name="Rows">How many rows both were scored on.</param>
/// <param name="Test">The test used, in words.</param>
public sealed record PairedResult(string Metric, bool HigherIsBetter, double Candidate, double Champion, double Gain, double StandardError, double PValue, int Rows, string Test);

/// <summary>
/// Paired tests of two models on the same held-out rows: DeLong's test for correlated ROC curves (AUC), a paired test on
/// per-row correctness (accuracy, McNemar's statistic in its normal form), and paired tests on per-row losses (log loss,
/// mean absolute error; RMSE by the delta method). Pairing removes the row-to-row noise both models share, so it finds
/// a real difference with far fewer rows than comparing two independent samples.
/// </summary>
public static class PairedComparison
{
    public static PairedResult Auc(ReadOnlySpan<bool> actual, ReadOnlySpan<double> candidate, ReadOnlySpan<double> champion, double minGain)
    {
        var a = DeLong.Components(actual, candidate) ?? throw new ArgumentException("AUC needs both classes among the rows.", nameof(actual));
        var b = DeLong.Components(actual, champion)!.Value;
        var (m, n) = (a.V10.Length, a.V01.Length);
        if (m < 2 || n < 2)
        {
            throw new ArgumentException("AUC's test needs at least two rows of each class.", nameof(actual));
        }

        var variance = ((DeLong.Covariance(a.V10, a.V10, a.Auc, a.Auc) + DeLong.Covariance(b.V10, b.V10, b.Auc, b.Auc) - (2 * DeLong.Covariance(a.V10, b.V10, a.Auc, b.Auc))) / m)
            + ((DeLong.Covariance(a.V01, a.V01, a.Auc, a.Auc) + DeLong.Covariance(b.V01, b.V01, b.Auc, b.Auc) - (2 * DeLong.Covariance(a.V01, b.V01, a.Auc, b.Auc))) / n);
        return Result("auc", true, a.Auc, b.Auc, a.Auc - b.Auc, Math.Sqrt(Math.Max(variance, 0)), minGain, actual.Length, "DeLong's test for paired ROC curves");
    }

    /// <summary>Accuracy from each row's correctness under both models.</summary>
    public static PairedResult Accuracy(ReadOnlySpan<bool> candidateCorrect, ReadOnlySpan<bool> championCorrect, double minGain)
    {
        var rows = Check(candidateCorrect.Length, championCorrect.Length);
        int onlyCandidate = 0, onlyChampion = 0, candidate = 0, champion = 0;
        for (var i = 0; i < rows; i++)
        {
            candidate += candidateCorrect[i] ? 1 : 0;
            champion += championCorrect[i] ? 1 : 0;
            onlyCandidate += candidateCorrect[i] && !championCorrect[i] ? 1 : 0;
            onlyChampion += championCorrect[i] && !candidateCorrect[i] ? 1 : 0;
        }

        // The difference of paired proportions and its standard error from the discordant pairs (McNemar).
        var difference = (double)(onlyCandidate - onlyChampion) / rows;
        var variance = (((double)(onlyCandidate + onlyChampion) / rows) - (difference * difference)) / rows;
        return Result("accuracy", true, (double)candidate / rows, (double)champion / rows, difference, Math.Sqrt(Math.Max(variance, 0)), minGain, rows,
            "paired test of correctness (McNemar)");
    }

    /// <summary>A mean per-row loss (log loss, absolute error): lower is better; paired test on the per-row differences.</summary>
    public static PairedResult MeanLoss(string metric, ReadOnlySpan<double> candidateLoss, ReadOnlySpan<double> championLoss, double minGain)
    {
        var rows = Check(candidateLoss.Length, championLoss.Length);
        double candidate = 0, champion = 0;
        for (var i = 0; i < rows; i++)
        {
            candidate += candidateLoss[i];
            champion += championLoss[i];
        }

        candidate /= rows;
        champion /= rows;
        var gain = champion - candidate;
        double sum = 0;
        for (var i = 0; i < rows; i++)
        {
            var d = (championLoss[i] - candidateLoss[i]) - gain;
            sum += d * d;
        }

        var standardError = rows > 1 ? Math.Sqrt(sum / (rows - 1) / rows) : double.PositiveInfinity;
        return Result(metric, false, candidate, champion, gain, standardError, minGain, rows, "paired test of per-row losses");
    }

    /// <summary>Root mean squared error from per-row squared errors; its difference is tested by the delta method.</summary>
    public static PairedResult Rmse(ReadOnlySpan<double> candidateSquared, ReadOnlySpan<double> championSquared, double minGain)
    {
        var rows = Check(candidateSquared.Length, championSquared.Length);
        double candidateMse = 0, championMse = 0;
        for (var i = 0; i < rows; i++)
        {
            candidateMse += candidateSquared[i];
            championMse += championSquared[i];
        }

        var candidate = Math.Sqrt(candidateMse / rows);
        var champion = Math.Sqrt(championMse / rows);
        var gain = champion - candidate;

        // d RMSE = d MSE / (2 RMSE): the per-row influence of each model, differenced row by row.
        double mean = 0;
        var influence = new double[rows];
        for (var i = 0; i < rows; i++)
        {
            influence[i] = (championSquared[i] / (2 * Math.Max(champion, double.Epsilon))) - (candidateSquared[i] / (2 * Math.Max(candidate, double.Epsilon)));
            mean += influence[i];
        }

        mean /= rows;
        double sum = 0;
        foreach (var value in influence)
        {
            sum += (value - mean) * (value - mean);
        }

        var standardError = rows > 1 ? Math.Sqrt(sum / (rows - 1) / rows) : double.PositiveInfinity;
        return Result("rmse", false, candidate, champion, gain, standardError, minGain, rows, "paired test of squared errors (delta method)");
    }

    private static int Check(int a, int b) =>
        a == b && a > 0 ? a : throw new ArgumentException($"Both models need the same, non-zero number of rows ({a} and {b}).");

    private static PairedResult Result(string metric, bool higherIsBetter, double candidate, double champion, double gain, double standardError, double minGain, int rows, string test)
    {
        var excess = gain - minGain;
        var p = standardError > 0 && double.IsFinite(standardError) ? Normal.Sf(excess / standardError)
            : excess > 0 ? 0.0 : 1.0; // identical errors on every row: no noise, the sign decides
        return new PairedResult(metric, higherIsBetter, candidate, champion, gain, standardError, p, rows, test);
    }
}
