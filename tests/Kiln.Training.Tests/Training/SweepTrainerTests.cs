using Kiln.Core;
using Kiln.Core.Tensors;
using Kiln.Training.Data;
using Kiln.Training.Demo;
using Kiln.Training.Packaging;
using Kiln.Training.Tests.Support;
using Kiln.Training.Training;

namespace Kiln.Training.Tests.Training;

public class SweepTrainerTests
{
    private static SweepOptions BankOptions(TempDirectory directory, string output, int rows = 4_000)
    {
        var data = directory.File("bank.csv");
        if (!File.Exists(data))
        {
            BankMarketingGenerator.WriteFile(data, rows, seed: 11);
        }

        return new SweepOptions
        {
            DataPath = data,
            Label = "y",
            OutputDirectory = directory.File(output),
            ExcludeColumns = ["duration"],
            Trials = 3,
            Seed = 5,
        };
    }

    private static Dictionary<string, double> WithoutTime(IReadOnlyDictionary<string, double> metrics) =>
        metrics.Where(m => m.Key != TrialMetrics.TrainingTimeSeconds).ToDictionary();

    [Fact]
    public async Task Run_SameSeedTwice_GivesIdenticalMetrics()
    {
        using var directory = new TempDirectory();

        var first = await new SweepTrainer().RunAsync(BankOptions(directory, "first"));
        var second = await new SweepTrainer().RunAsync(BankOptions(directory, "second") with { MaxParallelTrials = 1 });

        Assert.Equal(first.Trials.Select(t => t.Index), second.Trials.Select(t => t.Index));
        foreach (var (a, b) in first.Trials.Zip(second.Trials))
        {
            Assert.Equal(WithoutTime(a.Metrics), WithoutTime(b.Metrics));
            Assert.Equal(a.Parameters, b.Parameters);
        }

        Assert.Equal(first.Dataset.Digest, second.Dataset.Digest);
    }

    [Fact]
    public async Task Run_ProgressReporter_HearsPreparationAndEveryTrial()
    {
        using var directory = new TempDirectory();
        var progress = new RecordingProgress<TrialProgress>();

        var result = await new SweepTrainer().RunAsync(BankOptions(directory, "out") with { Trials = 2, Algorithms = ["lightgbm"] }, progress);

        var reports = progress.Reports;
        Assert.Equal(SweepStage.Prepared, reports[0].Stage);
        Assert.Equal(2, reports[0].Total);
        Assert.Equal([1, 2], reports.Skip(1).Select(r => r.Completed).Order());
        Assert.All(reports.Skip(1), r => Assert.NotNull(r.Trial));
        Assert.All(result.Trials, t => Assert.Equal("lightgbm", t.Algorithm));
        Assert.NotEqual(result.Trials[0].Parameters, result.Trials[1].Parameters);
    }

    [Fact]
    public async Task Run_MoreTrialsThanTheGrid_DrawsFurtherParameters()
    {
        using var directory = new TempDirectory();

        var result = await new SweepTrainer().RunAsync(BankOptions(directory, "out", rows: 1_500) with { Trials = 7, Algorithms = ["logreg"] });

        Assert.Equal(7, result.Trials.Select(t => string.Join(";", t.Parameters)).Distinct().Count());
    }

    [Fact]
    public async Task Run_MulticlassLabel_TrainsEveryAlgorithmAndServesClassProbabilities()
    {
        using var directory = new TempDirectory();
        var data = SyntheticData.Multiclass(directory.File("iris.csv"), 900, seed: 3);

        var result = await new SweepTrainer().RunAsync(new SweepOptions { DataPath = data, Label = "species", OutputDirectory = directory.File("out"), Trials = 3 });

        Assert.Equal(TrainingTask.Multiclass, result.Schema.Label.Task);
        Assert.Equal(TrialMetrics.Accuracy, result.PrimaryMetric);
        Assert.All(result.Trials, t =>
        {
            Assert.InRange(t.Metrics[TrialMetrics.Accuracy], 0.75, 1);
            Assert.True(t.Metrics.ContainsKey(TrialMetrics.MacroAccuracy));
            Assert.True(t.Metrics.ContainsKey(TrialMetrics.LogLoss));
        });

        foreach (var trial in result.Trials)
        {
            using var runtime = MlNetPackage.Load(trial.PackageDirectory);
            var batch = new InferenceBatch(
            [
                new Tensor("x1", TensorDataType.Fp32, [2, 1], new[] { 0f, 4f }, 2),
                new Tensor("x2", TensorDataType.Fp32, [2, 1], new[] { 0f, float.NaN }, 2),
                new Tensor("color", TensorDataType.Bytes, [2, 1], new[] { "red", "blue" }, 2),
            ], 2);
            var output = runtime.Predict(batch, null);
            Assert.Equal(["setosa", "virginica"], (string[])output.Outputs[0].Data);
            var probabilities = output.Outputs[1];
            Assert.Equal([2L, 3L], probabilities.Shape);
            Assert.Equal(["setosa", "versicolor", "virginica"], probabilities.Labels);
            var p = (float[])probabilities.Data;
            Assert.Equal(1f, p[0] + p[1] + p[2], 4);
        }
    }

    [Fact]
    public async Task Run_NumericLabel_DetectsRegressionAndServesPredictions()
    {
        using var directory = new TempDirectory();
        var data = SyntheticData.Regression(directory.File("reg.csv"), 2_000, seed: 4);

        var result = await new SweepTrainer().RunAsync(new SweepOptions { DataPath = data, Label = "y", OutputDirectory = directory.File("out"), Trials = 3 });

        Assert.Equal(TrainingTask.Regression, result.Schema.Label.Task);
        Assert.Equal(TrialMetrics.Rmse, result.PrimaryMetric);
        Assert.False(result.HigherIsBetter);
        var rmses = result.Trials.Select(t => t.Metrics[TrialMetrics.Rmse]).ToArray();
        Assert.Equal(rmses.Order(), rmses);
        Assert.True(result.Best.Metrics[TrialMetrics.R2] > 0.9, $"best r2 {result.Best.Metrics[TrialMetrics.R2]}");

        using var runtime = MlNetPackage.Load(result.Best.PackageDirectory);
        Assert.Equal(["prediction"], runtime.Signature.Outputs.Select(o => o.Name));
        var batch = new InferenceBatch(
        [
            new Tensor("x1", TensorDataType.Fp32, [1, 1], new[] { 5f }, 1),
            new Tensor("x2", TensorDataType.Fp32, [1, 1], new[] { 1f }, 1),
            new Tensor("color", TensorDataType.Bytes, [1, 1], new[] { "blue" }, 1),
        ], 1);
        var prediction = (float[])runtime.Predict(batch, null).Outputs[0].Data;
        Assert.InRange(prediction[0], 15, 21);
    }

    [Fact]
    public async Task Run_LabelNotInData_IsInvalidListingTheColumns()
    {
        using var directory = new TempDirectory();

        var error = await Assert.ThrowsAsync<KilnException>(() => new SweepTrainer().RunAsync(BankOptions(directory, "out") with { Label = "target" }));

        Assert.Equal("label", error.Field);
        Assert.Contains("poutcome", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UnknownAlgorithm_IsInvalid()
    {
        using var directory = new TempDirectory();

        var error = await Assert.ThrowsAsync<KilnException>(() => new SweepTrainer().RunAsync(BankOptions(directory, "out") with { Algorithms = ["xgboost"] }));

        Assert.Equal("algorithms", error.Field);
    }

    [Fact]
    public async Task Run_ExcludingTheLabel_IsInvalid()
    {
        using var directory = new TempDirectory();

        var error = await Assert.ThrowsAsync<KilnException>(() => new SweepTrainer().RunAsync(BankOptions(directory, "out") with { ExcludeColumns = ["y"] }));

        Assert.Equal("excludeColumns", error.Field);
    }

    [Fact]
    public async Task Run_CancelledToken_StopsWithCancellation()
    {
        using var directory = new TempDirectory();
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new SweepTrainer().RunAsync(BankOptions(directory, "out"), null, cancellation.Token));
    }
}
