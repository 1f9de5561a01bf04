using Kiln.Monitoring.Evaluation;

namespace Kiln.Monitoring.Tests.Evaluation;

public sealed class PairedComparisonTests
{
    [Fact]
    public void Auc_MatchesDeLongsPairedFormulaComputedPairByPair()
    {
        var random = new Random(7);
        var actual = Enumerable.Range(0, 300).Select(_ => random.NextDouble() < 0.3).ToArray();
        var truth = actual.Select(a => (a ? 1.0 : 0.0) + (random.NextDouble() * 1.5)).ToArray();
        var candidate = truth.Select(t => Math.Round(t + (random.NextDouble() * 0.6), 1)).ToArray(); // rounding makes ties
        var champion = truth.Select(t => Math.Round(t + (random.NextDouble() * 1.2), 1)).ToArray();

        var result = PairedComparison.Auc(actual, candidate, champion, minGain: 0);

        var (aucA, aucB, variance) = BruteForce(actual, candidate, champion);
        Assert.Equal(aucA, result.Candidate, 12);
        Assert.Equal(aucB, result.Champion, 12);
        Assert.Equal(aucA - aucB, result.Gain, 12);
        Assert.Equal(Math.Sqrt(variance), result.StandardError, 12);
        Assert.True(result.Gain > 0 && result.PValue < 0.05, $"gain {result.Gain}, p {result.PValue}");
    }

    [Fact]
    public void Auc_SameScores_HasNoGainAndCannotPass()
    {
        bool[] actual = [true, false, true, false, true, false];
        double[] scores = [0.9, 0.1, 0.6, 0.7, 0.8, 0.2];

        var result = PairedComparison.Auc(actual, scores, scores, minGain: 0);

        Assert.Equal((0.0, 0.0, 1.0), (result.Gain, result.StandardError, result.PValue));
    }

    [Fact]
    public void Accuracy_UsesOnlyTheDiscordantPairs()
    {
        // 100 rows: both right on 70, only the candidate on 20, only the champion on 5, neither on 5.
        var candidate = Enumerable.Repeat(true, 90).Concat(Enumerable.Repeat(false, 10)).ToArray();
        var champion = Enumerable.Repeat(true, 70).Concat(Enumerable.Repeat(false, 20)).Concat(Enumerable.Repeat(true, 5)).Concat(Enumerable.Repeat(false, 5)).ToArray();

        var result = PairedComparison.Accuracy(candidate, champion, minGain: 0);

        Assert.Equal((0.90, 0.75, 0.15), (result.Candidate, result.Champion, Math.Round(result.Gain, 12)));
        // Var = ((b + c)/n - d²)/n = (0.25 - 0.0225) / 100
        Assert.Equal(Math.Sqrt((0.25 - 0.0225) / 100), result.StandardError, 12);
        Assert.True(result.PValue < 0.001);
        Assert.True(PairedComparison.Accuracy(candidate, champion, minGain: 0.2).PValue > 0.5); // a 15-point gain is not a 20-point one
    }

    [Fact]
    public void MeanLoss_IsATestOfThePerRowDifferences()
    {
        double[] candidate = [0.1, 0.2, 0.3, 0.2];
        double[] champion = [0.3, 0.3, 0.5, 0.2];

        var result = PairedComparison.MeanLoss("log_loss", candidate, champion, minGain: 0);

        // differences 0.2, 0.1, 0.2, 0: mean 0.125, sample sd 0.0957427, se = sd / 2
        Assert.Equal(0.125, result.Gain, 12);
        Assert.Equal(0.0957427107756338 / 2, result.StandardError, 12);
        Assert.False(result.HigherIsBetter);
    }

    [Fact]
    public void Rmse_BetterCandidate_HasPositiveGain()
    {
        var random = new Random(3);
        var candidate = Enumerable.Range(0, 500).Select(_ => Math.Pow(random.NextDouble(), 2)).ToArray();
        var champion = candidate.Select(c => c * 1.5).ToArray();

        var result = PairedComparison.Rmse(candidate, champion, minGain: 0);

        Assert.Equal(Math.Sqrt(champion.Average()) - Math.Sqrt(candidate.Average()), result.Gain, 12);
        Assert.True(result.PValue < 0.001);
    }

    /// <summary>AUCs and the variance of their difference from every (positive, negative) pair: DeLong, DeLong and Clarke-Pearson (1988).</summary>
    private static (double AucA, double AucB, double Variance) BruteForce(bool[] actual, double[] a, double[] b)
    {
        var positives = Enumerable.Range(0, actual.Length).Where(i => actual[i]).ToArray();
        var negatives = Enumerable.Range(0, actual.Length).Where(i => !actual[i]).ToArray();
        double Psi(double x, double y) => x > y ? 1 : x == y ? 0.5 : 0;
        double[] V10(double[] s) => positives.Select(i => negatives.Average(j => Psi(s[i], s[j]))).ToArray();
        double[] V01(double[] s) => negatives.Select(j => positives.Average(i => Psi(s[i], s[j]))).ToArray();
        double Cov(double[] x, double[] y) => x.Zip(y).Sum(p => (p.First - x.Average()) * (p.Second - y.Average())) / (x.Length - 1);
        double[] a10 = V10(a), b10 = V10(b), a01 = V01(a), b01 = V01(b);
        var variance = ((Cov(a10, a10) + Cov(b10, b10) - (2 * Cov(a10, b10))) / positives.Length)
            + ((Cov(a01, a01) + Cov(b01, b01) - (2 * Cov(a01, b01))) / negatives.Length);
        return (a10.Average(), b10.Average(), variance);
    }
}
