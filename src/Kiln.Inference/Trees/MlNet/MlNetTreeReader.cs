using System.Reflection;
using Kiln.Inference.MlNet;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace Kiln.Inference.Trees.MlNet;

/// <summary>
/// The trees of an mlnet model's predictor, read through ML.NET's public tree API: FastTree and LightGBM binary
/// classifiers (with their Platt calibration) and regressors. A node goes left when its feature is at most the
/// threshold (ML.NET compares float32); a leaf's value is a double, and ML.NET adds the trees' values in double, in
/// order, then rounds the sum to float32. Multiclass models are ML.NET's one-versus-all: one binary model per class.
/// Categorical splits and other predictors are not covered.
/// </summary>
internal static class MlNetTreeReader
{
    public static MlNetTreeModel Read(ITransformer predictor, MlNetFlavorOptions options)
    {
        if (predictor is not ISingleFeaturePredictionTransformer<object> transformer)
        {
            throw new TreeEngineNotCoveredException($"the model ends in {predictor.GetType().Name}, not a predictor");
        }

        var model = transformer.Model;
        var column = transformer.FeatureColumnName;
        switch (options.Task)
        {
            case MlNetFlavorOptions.BinaryTask when Calibrated(model) is { } binary:
                return new MlNetTreeModel(Definition([binary.Trees], 1), column, [binary.Platt], MlNetScoreRule.Calibrated);
            case MlNetFlavorOptions.RegressionTask when model is FastTreeRegressionModelParameters or LightGbmRegressionModelParameters:
                return new MlNetTreeModel(Definition([(TreeEnsembleModelParametersBasedOnRegressionTree)model], 1), column, [], MlNetScoreRule.Value);
            case MlNetFlavorOptions.MulticlassTask when model is OneVersusAllModelParameters ova:
                var (classes, rule) = OneVersusAll(ova);
                return new MlNetTreeModel(Definition(classes.Select(c => c.Trees).ToArray(), classes.Length), column, classes.Select(c => c.Platt).ToArray(), rule);
            default:
                var inner = model is CalibratedModelParametersBase c ? $"{c.SubModel.GetType().Name} calibrated by {c.Calibrator.GetType().Name}" : model.GetType().Name;
                throw new TreeEngineNotCoveredException($"the {options.Task} predictor is {inner}, not a FastTree or LightGBM tree ensemble");
        }
    }

    /// <summary>A FastTree or LightGBM binary model with its Platt calibration, or null.</summary>
    private static (TreeEnsembleModelParametersBasedOnRegressionTree Trees, PlattCalibrator Platt)? Calibrated(object model) =>
        model is CalibratedModelParametersBase { SubModel: FastTreeBinaryModelParameters or LightGbmBinaryModelParameters, Calibrator: PlattCalibrator platt } calibrated
            ? ((TreeEnsembleModelParametersBasedOnRegressionTree)calibrated.SubModel, platt)
            : null;

    /// <summary>
    /// A one-versus-all model's per-class binary models and how it combines them. ML.NET keeps both internal
    /// (<c>SubModelParameters</c>, and the <c>OutputFormula</c> of its private implementation), so they are read by
    /// reflection from the pinned ML.NET version; anything unexpected is not covered, and every load checks the compiled
    /// scores against ML.NET's anyway.
    /// </summary>
    private static ((TreeEnsembleModelParametersBasedOnRegressionTree Trees, PlattCalibrator Platt)[] Classes, MlNetScoreRule Rule) OneVersusAll(OneVersusAllModelParameters model)
    {
        const BindingFlags Hidden = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
        var type = typeof(OneVersusAllModelParameters);
        var implementation = type.GetField("_impl", Hidden)?.GetValue(model);
        var formula = implementation?.GetType().GetField("OutputFormula", Hidden)?.GetValue(implementation)?.ToString();
        var rule = formula switch
        {
            "ProbabilityNormalization" => MlNetScoreRule.NormalizedProbabilities,
            "Softmax" => MlNetScoreRule.Softmax,
            _ => throw new TreeEngineNotCoveredException($"a one-versus-all model combining its classes by '{formula ?? "an unknown rule"}' is not covered"),
        };
        if (type.GetProperty("SubModelParameters", Hidden)?.GetValue(model) is not IEnumerable<object> subModels)
        {
            throw new TreeEngineNotCoveredException("the one-versus-all model's per-class models could not be read");
        }

        var classes = subModels.Select(m => Calibrated(m)
            ?? throw new TreeEngineNotCoveredException($"a one-versus-all class model is {m.GetType().Name}, not a calibrated FastTree or LightGBM model")).ToArray();
        return (classes, rule);
    }

    /// <summary>The trees of every class's model, each class's trees adding to its own target.</summary>
    private static TreeEnsembleDefinition Definition(TreeEnsembleModelParametersBasedOnRegressionTree[] classes, int targets)
    {
        var trees = new List<DecisionTree>();
        for (var target = 0; target < classes.Length; target++)
        {
            foreach (var tree in classes[target].TrainedTreeEnsemble.Trees)
            {
                trees.Add(Tree(tree, trees.Count, target));
            }
        }

        return new TreeEnsembleDefinition(trees, targets, TreeAggregation.Sum);
    }

    private static DecisionTree Tree(RegressionTree tree, int index, int target)
    {
        var left = tree.LeftChild;
        var right = tree.RightChild;
        var leafValues = tree.LeafValues;

        // ML.NET scores a tree whose root points back at itself (one it never split) as 0, and a one-leaf tree as that leaf.
        if (left.Count > 0 && left[0] == 0)
        {
            return new DecisionTree([Leaf(target, 0d)]);
        }

        if (tree.NumberOfLeaves == 1)
        {
            return new DecisionTree([Leaf(target, leafValues[0])]);
        }

        var branches = tree.NumberOfNodes;
        var nodes = new TreeNode[branches + tree.NumberOfLeaves];
        for (var n = 0; n < branches; n++)
        {
            if (tree.CategoricalSplitFlags[n])
            {
                throw new TreeEngineNotCoveredException($"tree {index} has a categorical split");
            }

            nodes[n] = new TreeNode(
                TreeNodeMode.BranchLeq, tree.NumericalSplitFeatureIndexes[n], tree.NumericalSplitThresholds[n],
                Child(left[n]), Child(right[n]), MissingGoesTrue: false, []);
        }

        for (var l = 0; l < tree.NumberOfLeaves; l++)
        {
            nodes[branches + l] = Leaf(target, leafValues[l]);
        }

        return new DecisionTree(nodes);

        // A negative child is the complement of a leaf's index; leaves follow the branches in the node list.
        int Child(int child) => child >= 0 ? child : branches + ~child;
    }

    private static TreeNode Leaf(int target, double value) => new(TreeNodeMode.Leaf, 0, 0f, -1, -1, false, [new TargetWeight(target, value)]);
}

/// <summary>How an mlnet model's per-target tree sums become its scores.</summary>
internal enum MlNetScoreRule : byte
{
    /// <summary>Regression: the sum, rounded to float32.</summary>
    Value,

    /// <summary>Binary: the sum's Platt-calibrated probability.</summary>
    Calibrated,

    /// <summary>One-versus-all: each class's calibrated probability, divided by their sum (negatives as 0).</summary>
    NormalizedProbabilities,

    /// <summary>One-versus-all: softmax over the classes' raw sums.</summary>
    Softmax,
}

/// <summary>An mlnet model's trees (one target per class for multiclass models), the feature column they read, each class's Platt calibration, and how scores are made.</summary>
internal sealed record MlNetTreeModel(TreeEnsembleDefinition Trees, string FeatureColumn, IReadOnlyList<PlattCalibrator> Calibrations, MlNetScoreRule Rule);
