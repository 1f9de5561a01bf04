using Kiln.Training.Data;
using Kiln.Training.Training;

namespace Kiln.Training.Tests.Training;

public class TrialMetricsTests
{
    [Fact]
    public void AreaUnderRoc_KnownExample_MatchesScikitLearn()
    {
        // sklearn.metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
        Assert.Equal(0.75, TrialMetrics.AreaUnderRoc([false, false, true, true], [0.1f, 0.4f, 0.35f, 0.8f]), 12);
    }

    [Fact]
    public void AreaUnderRoc_TiedScores_CountHalf()
    {
        Assert.Equal(0.5, TrialMetrics.AreaUnderRoc([false, true, false, true], [0.3f, 0.3f, 0.3f, 0.3f]), 12);
        // sklearn.metrics.roc_auc_score([0, 1, 1, 0, 1], [0.2, 0.2, 0.9, 0.5, 0.5]) == 2/3
        Assert.Equal(2 / 3.0, TrialMetrics.AreaUnderRoc([false, true, true, false, true], [0.2f, 0.2f, 0.9f, 0.5f, 0.5f]), 12);
    }

    [Fact]
    public void AreaUnderRoc_OneClass_IsUndefined()
    {
        Assert.True(double.IsNaN(TrialMetrics.AreaUnderRoc([true, true], [0.2f, 0.7f])));
    }

    [Fact]
    public void Primary_PerTask_RanksByAucAccuracyAndRmse()
    {
        Assert.Equal(TrialMetrics.Auc, TrialMetrics.Primary(TrainingTask.Binary));
        Assert.Equal(TrialMetrics.Accuracy, TrialMetrics.Primary(TrainingTask.Multiclass));
        Assert.Equal(TrialMetrics.Rmse, TrialMetrics.Primary(TrainingTask.Regression));
        Assert.False(TrialMetrics.HigherIsBetter(TrainingTask.Regression));
    }
}
