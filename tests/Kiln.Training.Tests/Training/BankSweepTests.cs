using Kiln.Core.Packaging;
using Kiln.Core.Tensors;
using Kiln.Training.Data;
using Kiln.Training.Packaging;
using Kiln.Training.Tests.Support;
using Kiln.Training.Training;

namespace Kiln.Training.Tests.Training;

[Collection(BankSweepCollection.Name)]
public class BankSweepTests(BankSweepFixture fixture)
{
    private SweepResult Result => fixture.Result;

    [Fact]
    public void Run_BankWithoutDuration_BestValidationAucIsReasonable()
    {
        Assert.Equal(TrialMetrics.Auc, Result.PrimaryMetric);
        Assert.True(Result.Best.Metrics[TrialMetrics.Auc] > 0.70, $"best AUC {Result.Best.Metrics[TrialMetrics.Auc]:0.0000}");
    }

    [Fact]
    public void Run_Trials_AreRankedByAucAndCoverEveryAlgorithm()
    {
        Assert.Equal(3, Result.Trials.Count);
        Assert.Equal(["fasttree", "lightgbm", "logreg"], Result.Trials.Select(t => t.Algorithm).Order(StringComparer.Ordinal));
        var aucs = Result.Trials.Select(t => t.Metrics[TrialMetrics.Auc]).ToArray();
        Assert.Equal(aucs.OrderDescending(), aucs);
        Assert.Same(Result.Trials[0], Result.Best);
    }

    [Fact]
    public void Run_EveryTrial_RecordsTheBinaryMetrics()
    {
        foreach (var trial in Result.Trials)
        {
            foreach (var metric in new[] { TrialMetrics.Auc, TrialMetrics.Accuracy, TrialMetrics.Precision, TrialMetrics.Recall, TrialMetrics.F1, TrialMetrics.LogLoss, TrialMetrics.TrainingTimeSeconds })
            {
                Assert.True(trial.Metrics.ContainsKey(metric), $"trial {trial.Index} lacks {metric}");
            }

            Assert.InRange(trial.Metrics[TrialMetrics.Accuracy], 0.8, 1);
            Assert.Equal(trial.Algorithm, trial.Parameters["algorithm"]);
        }
    }

    [Fact]
    public void Run_Schema_InfersKindsAndLeavesOutTheLabelAndDuration()
    {
        var features = Result.Schema.Features.ToDictionary(f => f.Name, f => f.Kind);

        Assert.Equal(15, features.Count);
        Assert.DoesNotContain("duration", features.Keys);
        Assert.DoesNotContain("y", features.Keys);
        Assert.Equal(ColumnKind.Numeric, features["age"]);
        Assert.Equal(ColumnKind.Numeric, features["pdays"]);
        Assert.Equal(ColumnKind.Categorical, features["job"]);
        Assert.Equal(ColumnKind.Categorical, features["month"]);
        Assert.Equal(TrainingTask.Binary, Result.Schema.Label.Task);
        Assert.Equal(["no", "yes"], Result.Schema.Label.Classes);
        Assert.Equal(["duration"], Result.Schema.ExcludedColumns);
    }

    [Fact]
    public void Run_Dataset_NamesTheFileWithDigestSchemaAndTrainingProfile()
    {
        var dataset = Result.Dataset;

        Assert.Equal("bank.csv", dataset.Name);
        Assert.Equal(Path.GetFullPath(fixture.DataPath), dataset.Source);
        Assert.Matches("^[0-9a-f]{16}$", dataset.Digest);
        Assert.Contains("\"name\":\"age\"", dataset.Schema, StringComparison.Ordinal);
        Assert.Equal(BankSweepFixture.Rows, dataset.Rows);
        Assert.Equal(BankSweepFixture.Rows, dataset.TrainingRows + dataset.ValidationRows);
        Assert.InRange(dataset.ValidationRows, 3_900, 4_100);
        Assert.Equal(dataset.TrainingRows, dataset.Profile.Rows);
        Assert.Equal(Result.Schema.Features.Select(f => f.Name), dataset.Profile.Columns.Select(c => c.Name));
    }

    [Fact]
    public void Run_Package_HoldsModelAndManifestWithTheColumnSignature()
    {
        var best = Result.Best;

        Assert.True(File.Exists(Path.Combine(best.PackageDirectory, "model.zip")));
        var manifest = MlNetPackage.ReadManifest(best.PackageDirectory);
        Assert.Equal(ModelFlavors.MlNet, manifest.Flavor);
        Assert.Equal("model.zip", manifest.ModelFile);
        Assert.Empty(manifest.Files);
        Assert.Equal(Result.Schema.Features.Select(f => f.Name), manifest.Signature.Inputs.Select(i => i.Name));
        Assert.All(manifest.Signature.Inputs, i => Assert.Equal([-1L, 1L], i.Shape));
        Assert.Equal(TensorDataType.Fp32, manifest.Signature.FindInput("balance")!.DataType);
        Assert.Equal(TensorDataType.Bytes, manifest.Signature.FindInput("job")!.DataType);
        Assert.Equal(["label", "probabilities"], manifest.Signature.Outputs.Select(o => o.Name));
        Assert.Equal([-1L, 2L], manifest.Signature.FindOutput("probabilities")!.Shape);
        Assert.Equal(best.Metrics, manifest.Metrics);
        Assert.Equal("binary", manifest.FlavorOptions!["task"]);
        Assert.NotNull(manifest.Profile);
        Assert.Equal(best.Manifest.Signature.Inputs.Count, manifest.InputExample!.Value.GetProperty("inputs").GetArrayLength());
    }
}
