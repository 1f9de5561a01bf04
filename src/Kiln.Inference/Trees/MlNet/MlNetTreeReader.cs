using Kiln.Inference.MlNet;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace Kiln.Inference.Trees.MlNet;

/// <summary>
/// The trees of an mlnet model's predictor, read through ML.NET's public tree API: FastTree and LightGBM binary
/// classifiers (with their Platt calibration) and regressors. A node goes left when its feature is at most the
/// threshold (ML.NET compares float32); a leaf's value is a double, and ML.NET adds the trees' values in double, in
/// order, then rounds the sum to float32. Categorical splits, other predictors and multiclass models (one model per
/// class) are not covered.
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
        switch (options.Task)
        {
            case MlNetFlavorOptions.BinaryTask when model is CalibratedModelParametersBase { SubModel: FastTreeBinaryModelParameters or LightGbmBinaryModelParameters, Calibrator: PlattCalibrator platt } calibrated:
                return new MlNetTreeModel(Trees((TreeEnsembleModelParametersBasedOnRegressionTree)calibrated.SubModel), transformer.FeatureColumnName, platt);
            case MlNetFlavorOptions.RegressionTask when model is FastTreeRegressionModelParameters or LightGbmRegressionModelParameters:
                return new MlNetTreeModel(Trees((TreeEnsembleModelParametersBasedOnRegressionTree)model), transformer.FeatureColumnName, null);
            case MlNetFlavorOptions.MulticlassTask:
                throw new TreeEngineNotCoveredException("multiclass mlnet models (one model per class) are not covered");
            default:
                var inner = model is CalibratedModelParametersBase c ? $"{c.SubModel.GetType().Name} calibrated by {c.Calibrator.GetType().Name}" : model.GetType().Name;
                throw new TreeEngineNotCoveredException($"the {options.Task} predictor is {inner}, not a FastTree or LightGBM tree ensemble");
        }
    }

    private static TreeEnsembleDefinition Trees(TreeEnsembleModelParametersBasedOnRegressionTree parameters)
    {
        var trees = parameters.TrainedTreeEnsemble.Trees;
        var result = new DecisionTree[trees.Count];
        for (var t = 0; t < trees.Count; t++)
        {
            result[t] = Tree(trees[t], t);
        }

        return new TreeEnsembleDefinition(result, TargetCount: 1, TreeAggregation.Sum);
    }

    private static DecisionTree Tree(RegressionTree tree, int index)
    {
        var left = tree.LeftChild;
        var right = tree.RightChild;
        var leafValues = tree.LeafValues;

        // ML.NET scores a tree whose root points back at itself (one it never split) as 0, and a one-leaf tree as that leaf.
        if (left.Count > 0 && left[0] == 0)
        {
            return new DecisionTree([Leaf(0d)]);
        }

        if (tree.NumberOfLeaves == 1)
        {
            return new DecisionTree([Leaf(leafValues[0])]);
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
            nodes[branches + l] = Leaf(leafValues[l]);
        }

        return new DecisionTree(nodes);

        // A negative child is the complement of a leaf's index; leaves follow the branches in the node list.
        int Child(int child) => child >= 0 ? child : branches + ~child;
    }

    private static TreeNode Leaf(double value) => new(TreeNodeMode.Leaf, 0, 0f, -1, -1, false, [new TargetWeight(0, value)]);
}

/// <summary>An mlnet model's trees, the feature column they read, and a binary classifier's Platt calibration (null for regression).</summary>
internal sealed record MlNetTreeModel(TreeEnsembleDefinition Trees, string FeatureColumn, PlattCalibrator? Calibration);
