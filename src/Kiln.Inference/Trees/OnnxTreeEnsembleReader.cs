using Kiln.Inference.Onnx.Proto;

namespace Kiln.Inference.Trees;

/// <summary>
/// Reads an ONNX <c>TreeEnsembleClassifier</c> or <c>TreeEnsembleRegressor</c> node (ai.onnx.ml opsets 1–3; the opset-5
/// <c>TreeEnsemble</c> is read by <see cref="OnnxTreeEnsembleV5Reader"/>)
/// into a <see cref="TreeEnsembleDefinition"/> and the <see cref="OnnxTreeOutputRules"/> ONNX Runtime applies,
/// reading the attributes the way ONNX Runtime does: a tree is a run of consecutive nodes with one tree id and
/// its first node is the root; leaf weights are ordered by (tree, node) and then as listed; weights on
/// branch nodes are ignored.
/// </summary>
internal static class OnnxTreeEnsembleReader
{
    public const string ClassifierOp = "TreeEnsembleClassifier";
    public const string RegressorOp = "TreeEnsembleRegressor";

    public static (TreeEnsembleDefinition Definition, OnnxTreeOutputRules Rules) Read(NodeProto node)
    {
        if (node.OpType == OnnxTreeEnsembleV5Reader.Op)
        {
            return OnnxTreeEnsembleV5Reader.Read(node);
        }

        var a = new OnnxTreeAttributes(node);
        foreach (var name in new[] { "nodes_values_as_tensor", "base_values_as_tensor", "class_weights_as_tensor", "target_weights_as_tensor", "nodes_hitrates_as_tensor" })
        {
            if (a.TensorType(name) is { } type && type != TensorProto.Types.DataType.Float)
            {
                throw new TreeEngineNotCoveredException($"attribute '{name}' holds {type} values (ONNX Runtime then compares and adds in double) and is served by ONNX Runtime");
            }
        }

        var classifier = node.OpType == ClassifierOp;
        var prefix = classifier ? "class" : "target";
        var weightTrees = a.Ints($"{prefix}_treeids");
        var weightNodes = a.Ints($"{prefix}_nodeids");
        var weightTargets = a.Ints($"{prefix}_ids");
        var weightValues = Floats(a, $"{prefix}_weights");
        if (weightTrees.Length != weightNodes.Length || weightTrees.Length != weightTargets.Length || weightTrees.Length != weightValues.Length)
        {
            throw new TreeEngineNotCoveredException($"the {prefix}_* attributes have different lengths");
        }

        var transform = a.String("post_transform", "NONE") switch
        {
            "NONE" => TreePostTransform.None,
            "LOGISTIC" => TreePostTransform.Logistic,
            "SOFTMAX" => TreePostTransform.Softmax,
            "SOFTMAX_ZERO" => TreePostTransform.SoftmaxZero,
            var other => throw new TreeEngineNotCoveredException($"post_transform {other} is served by ONNX Runtime"),
        };
        var aggregation = classifier ? TreeAggregation.Sum : a.String("aggregate_function", "SUM") switch
        {
            "SUM" => TreeAggregation.Sum,
            "AVERAGE" => TreeAggregation.Average,
            "MIN" => TreeAggregation.Min,
            "MAX" => TreeAggregation.Max,
            var other => throw new TreeEngineNotCoveredException($"aggregate_function {other} is not an ONNX aggregation"),
        };

        var int64Labels = a.Ints("classlabels_int64s");
        var stringLabels = a.Strings("classlabels_strings");
        var targetCount = classifier ? (stringLabels.Length > 0 ? stringLabels.Length : int64Labels.Length) : (int)a.Int("n_targets", 0);
        if (classifier && targetCount < 2)
        {
            throw new TreeEngineNotCoveredException($"a classifier with {targetCount} class labels is served by ONNX Runtime");
        }

        if (targetCount < 1)
        {
            throw new TreeEngineNotCoveredException("the regressor declares no targets");
        }

        var trees = ReadTrees(a, weightTrees, weightNodes, weightTargets, weightValues);
        var definition = new TreeEnsembleDefinition(trees, targetCount, aggregation);
        var rules = new OnnxTreeOutputRules
        {
            IsClassifier = classifier,
            PostTransform = transform,
            BaseValues = Floats(a, "base_values"),
            TreeCount = trees.Length,
            Aggregation = aggregation,
            Int64Labels = classifier && stringLabels.Length == 0 ? int64Labels : null,
            StringLabels = classifier && stringLabels.Length > 0 ? stringLabels : null,
            BinaryCase = classifier && targetCount == 2 && weightTargets.Distinct().Count() == 1,
            WeightsAllPositive = weightValues.All(w => w >= 0),
            ScoreColumns = targetCount,
        };
        return (definition, rules);
    }

    private static DecisionTree[] ReadTrees(OnnxTreeAttributes a, long[] weightTrees, long[] weightNodes, long[] weightTargets, float[] weightValues)
    {
        var treeIds = a.Ints("nodes_treeids");
        var nodeIds = a.Ints("nodes_nodeids");
        var features = a.Ints("nodes_featureids");
        var values = Floats(a, "nodes_values");
        var modes = a.Strings("nodes_modes");
        var trueIds = a.Ints("nodes_truenodeids");
        var falseIds = a.Ints("nodes_falsenodeids");
        var missing = a.Ints("nodes_missing_value_tracks_true");
        var count = treeIds.Length;
        if (nodeIds.Length != count || features.Length != count || values.Length != count || modes.Length != count || trueIds.Length != count || falseIds.Length != count)
        {
            throw new TreeEngineNotCoveredException("the nodes_* attributes have different lengths");
        }

        // A tree is a run of consecutive nodes with one tree id (ONNX Runtime's reading).
        var runs = new List<(long TreeId, int Start, int Length)>();
        for (var i = 0; i < count; i++)
        {
            if (runs.Count == 0 || runs[^1].TreeId != treeIds[i])
            {
                runs.Add((treeIds[i], i, 0));
            }

            runs[^1] = runs[^1] with { Length = runs[^1].Length + 1 };
        }

        if (runs.Select(r => r.TreeId).Distinct().Count() != runs.Count)
        {
            throw new TreeEngineNotCoveredException("a tree's nodes are not listed together");
        }

        var weights = new Dictionary<(long Tree, long Node), List<TargetWeight>>();
        foreach (var i in Enumerable.Range(0, weightTrees.Length).OrderBy(i => weightTrees[i]).ThenBy(i => weightNodes[i]).ThenBy(i => i))
        {
            var key = (weightTrees[i], weightNodes[i]);
            if (!weights.TryGetValue(key, out var list))
            {
                weights[key] = list = [];
            }

            list.Add(new TargetWeight(checked((int)weightTargets[i]), weightValues[i]));
        }

        var trees = new DecisionTree[runs.Count];
        for (var t = 0; t < runs.Count; t++)
        {
            var (treeId, start, length) = runs[t];
            var positions = new Dictionary<long, int>(length);
            for (var j = 0; j < length; j++)
            {
                if (!positions.TryAdd(nodeIds[start + j], j))
                {
                    throw new TreeEngineNotCoveredException($"tree {treeId} lists node {nodeIds[start + j]} twice");
                }
            }

            var nodes = new TreeNode[length];
            for (var j = 0; j < length; j++)
            {
                var i = start + j;
                var mode = Mode(modes[i]);
                if (mode == TreeNodeMode.Leaf)
                {
                    var leafWeights = weights.TryGetValue((treeId, nodeIds[i]), out var list) ? list.ToArray() : [];
                    nodes[j] = new TreeNode(mode, 0, 0f, -1, -1, false, leafWeights);
                    continue;
                }

                nodes[j] = new TreeNode(
                    mode,
                    checked((int)features[i]),
                    values[i],
                    Child(positions, treeId, trueIds[i]),
                    Child(positions, treeId, falseIds[i]),
                    i < missing.Length && missing[i] == 1,
                    []);
            }

            trees[t] = new DecisionTree(nodes);
        }

        return trees;
    }

    /// <summary>A float list attribute, or its <c>_as_tensor</c> form when that is given (as float).</summary>
    private static float[] Floats(OnnxTreeAttributes a, string name) => a.Has(name + "_as_tensor") ? a.FloatTensor(name + "_as_tensor") : a.Floats(name);

    private static int Child(Dictionary<long, int> positions, long treeId, long nodeId) =>
        positions.TryGetValue(nodeId, out var position)
            ? position
            : throw new TreeEngineNotCoveredException($"tree {treeId} points to node {nodeId}, which it does not list");

    private static TreeNodeMode Mode(string mode) => mode switch
    {
        "BRANCH_LEQ" => TreeNodeMode.BranchLeq,
        "BRANCH_LT" => TreeNodeMode.BranchLt,
        "BRANCH_GTE" => TreeNodeMode.BranchGte,
        "BRANCH_GT" => TreeNodeMode.BranchGt,
        "BRANCH_EQ" => TreeNodeMode.BranchEq,
        "BRANCH_NEQ" => TreeNodeMode.BranchNeq,
        "LEAF" => TreeNodeMode.Leaf,
        _ => throw new TreeEngineNotCoveredException($"node mode '{mode}' is served by ONNX Runtime"),
    };
}
