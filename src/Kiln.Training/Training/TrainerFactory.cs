using Kiln.Training.Data;
using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace Kiln.Training.Training;

/// <summary>
/// The ML.NET trainer of a trial. Every trainer runs on one thread with the sweep's seed, so the same
/// data and seed give the same model (and trials can run side by side on the machine's cores).
/// </summary>
internal static class TrainerFactory
{
    private const string Label = TrainingViews.LabelColumn;
    private const string Features = FeaturePipeline.FeaturesColumn;

    public static IEstimator<ITransformer> Create(MLContext ml, TrialPlan plan, TrainingTask task, int seed) => plan.Algorithm switch
    {
        SweepAlgorithms.LogReg => Linear(ml, plan.Linear!, task),
        SweepAlgorithms.FastTree => FastTree(ml, plan.Trees!, task, seed),
        _ => LightGbm(ml, plan.Trees!, task, seed),
    };

    private static IEstimator<ITransformer> Linear(MLContext ml, LinearParameters p, TrainingTask task) => task switch
    {
        TrainingTask.Binary => ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
        {
            LabelColumnName = Label, FeatureColumnName = Features, L1Regularization = p.L1, L2Regularization = p.L2, NumberOfThreads = 1,
        }),
        TrainingTask.Multiclass => ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options
        {
            LabelColumnName = Label, FeatureColumnName = Features, L1Regularization = p.L1, L2Regularization = p.L2, NumberOfThreads = 1,
        }),
        _ => ml.Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options
        {
            LabelColumnName = Label, FeatureColumnName = Features, L1Regularization = p.L1, L2Regularization = p.L2, NumberOfThreads = 1,
        }),
    };

    private static IEstimator<ITransformer> FastTree(MLContext ml, TreeParameters p, TrainingTask task, int seed)
    {
        switch (task)
        {
            case TrainingTask.Regression:
                return ml.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options
                {
                    LabelColumnName = Label, FeatureColumnName = Features, NumberOfTrees = p.Trees, NumberOfLeaves = p.Leaves,
                    LearningRate = p.LearningRate, MinimumExampleCountPerLeaf = p.MinExamplesPerLeaf, NumberOfThreads = 1, Seed = seed,
                });
            default:
                var binary = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
                {
                    LabelColumnName = Label, FeatureColumnName = Features, NumberOfTrees = p.Trees, NumberOfLeaves = p.Leaves,
                    LearningRate = p.LearningRate, MinimumExampleCountPerLeaf = p.MinExamplesPerLeaf, NumberOfThreads = 1, Seed = seed,
                });

                // FastTree has no multiclass form: one calibrated binary model per class, probabilities normalized.
                return task == TrainingTask.Binary
                    ? binary
                    : ml.MulticlassClassification.Trainers.OneVersusAll(binary, Label, useProbabilities: true);
        }
    }

    private static IEstimator<ITransformer> LightGbm(MLContext ml, TreeParameters p, TrainingTask task, int seed) => task switch
    {
        TrainingTask.Binary => ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
        {
            LabelColumnName = Label, FeatureColumnName = Features, NumberOfIterations = p.Trees, NumberOfLeaves = p.Leaves,
            LearningRate = p.LearningRate, MinimumExampleCountPerLeaf = p.MinExamplesPerLeaf, NumberOfThreads = 1, Seed = seed, Silent = true,
        }),
        TrainingTask.Multiclass => ml.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options
        {
            LabelColumnName = Label, FeatureColumnName = Features, NumberOfIterations = p.Trees, NumberOfLeaves = p.Leaves,
            LearningRate = p.LearningRate, MinimumExampleCountPerLeaf = p.MinExamplesPerLeaf, NumberOfThreads = 1, Seed = seed, Silent = true,
            UseSoftmax = true,
        }),
        _ => ml.Regression.Trainers.LightGbm(new LightGbmRegressionTrainer.Options
        {
            LabelColumnName = Label, FeatureColumnName = Features, NumberOfIterations = p.Trees, NumberOfLeaves = p.Leaves,
            LearningRate = p.LearningRate, MinimumExampleCountPerLeaf = p.MinExamplesPerLeaf, NumberOfThreads = 1, Seed = seed, Silent = true,
        }),
    };
}
