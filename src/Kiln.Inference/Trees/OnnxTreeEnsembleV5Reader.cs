using Kiln.Inference.Onnx.Proto;

namespace Kiln.Inference.Trees;

/// <summary>
/// Reads the <c>TreeEnsemble</c> operator of ai.onnx.ml opset 5 into a <see cref="TreeEnsembleDefinition"/> and the
/// regressor's <see cref="OnnxTreeOutputRules"/> (ONNX Runtime runs it as a TreeEnsembleRegressor without base values):
/// nodes and leaves are numbered across the ensemble, each tree starts at its <c>tree_roots</c> entry, a child is a
/// leaf when its <c>nodes_trueleafs</c>/<c>nodes_falseleafs</c> flag says so, and each leaf adds one weight to one
/// target. Float splits and weights are covered; double ones, set membership (<c>BRANCH_MEMBER</c>) and PROBIT are
/// served by ONNX Runtime.
/// </summary>
internal static class OnnxTreeEnsembleV5Reader
{
    public const string Op = "TreeEnsemble";
    private const byte MemberMode = 6;

    public static (TreeEnsembleDefinition Definition, OnnxTreeOutputRules Rules) Read(NodeProto node)
    {
        var a = new OnnxTreeAttributes(node);
        foreach (var name in new[] { "nodes_splits", "leaf_weights" })
        {
            if (a.TensorType(name) is { } type && type != TensorProto.Types.DataType.Float)
            {
                throw new TreeEngineNotCoveredException($"attribute '{name}' holds {type} values; only float ensembles are compiled");
            }
        }

        var features = a.Ints("nodes_featureids");
        var splits = a.FloatTensor("nodes_splits");
        var modes = a.ByteTensor("nodes_modes");
        var trueIds = a.Ints("nodes_truenodeids");
        var trueLeafs = a.Ints("nodes_trueleafs");
        var falseIds = a.Ints("nodes_falsenodeids");
        var falseLeafs = a.Ints("nodes_falseleafs");
        var missing = a.Ints("nodes_missing_value_tracks_true");
        var roots = a.Ints("tree_roots");
        var leafTargets = a.Ints("leaf_targetids");
        var leafWeights = a.FloatTensor("leaf_weights");
        var count = features.Length;
        if (splits.Length != count || modes.Length != count || trueIds.Length != count || trueLeafs.Length != count
            || falseIds.Length != count || falseLeafs.Length != count || (missing.Length != 0 && missing.Length != count))
        {
            throw new TreeEngineNotCoveredException("the nodes_* attributes have different lengths");
        }

        if (leafTargets.Length != leafWeights.Length)
        {
            throw new TreeEngineNotCoveredException("leaf_targetids and leaf_weights have different lengths");
        }

        if (modes.Any(m => m == MemberMode))
        {
            throw new TreeEngineNotCoveredException("set-membership splits (BRANCH_MEMBER) are served by ONNX Runtime");
        }

        var targets = (int)a.Int("n_targets", 0);
        if (targets < 1)
        {
            throw new TreeEngineNotCoveredException("the ensemble declares no targets");
        }

        var aggregation = a.Int("aggregate_function", 1) switch
        {
            0 => TreeAggregation.Average,
            1 => TreeAggregation.Sum,
            2 => TreeAggregation.Min,
            3 => TreeAggregation.Max,
            var other => throw new TreeEngineNotCoveredException($"aggregate_function {other} is not an ONNX aggregation"),
        };
        // As ONNX Runtime (1.31) reads it: 1 is LOGISTIC and 2 SOFTMAX, where the ONNX specification lists 1 as SOFTMAX
        // and 2 as LOGISTIC. The engine answers what ONNX Runtime answers (tested), so it reads them the same way.
        var transform = a.Int("post_transform", 0) switch
        {
            0 => TreePostTransform.None,
            1 => TreePostTransform.Logistic,
            2 => TreePostTransform.Softmax,
            3 => TreePostTransform.SoftmaxZero,
            var other => throw new TreeEngineNotCoveredException($"post_transform {other} is served by ONNX Runtime"),
        };

        var nodes = new V5Nodes(features, splits, modes, trueIds, trueLeafs, falseIds, falseLeafs, missing, leafTargets, leafWeights);
        var trees = roots.Select((root, t) => ReadTree(nodes, checked((int)root), t)).ToArray();
        var definition = new TreeEnsembleDefinition(trees, targets, aggregation);
        var rules = new OnnxTreeOutputRules
        {
            IsClassifier = false,
            PostTransform = transform,
            BaseValues = [],
            TreeCount = trees.Length,
            Aggregation = aggregation,
            ScoreColumns = targets,
        };
        return (definition, rules);
    }

    /// <summary>The tree under <paramref name="root"/>, its nodes and leaves renumbered from 0 in the order they are reached.</summary>
    private static DecisionTree ReadTree(V5Nodes all, int root, int tree)
    {
        var list = new List<TreeNode>();
        var branchSlots = new Dictionary<int, int>();
        var leafSlots = new Dictionary<int, int>();
        var pending = new Queue<int>();
        Slot(root, leaf: false);
        while (pending.TryDequeue(out var node))
        {
            var slot = branchSlots[node];
            var trueChild = Slot(checked((int)all.TrueIds[node]), all.TrueLeafs[node] != 0);
            var falseChild = Slot(checked((int)all.FalseIds[node]), all.FalseLeafs[node] != 0);
            list[slot] = new TreeNode(
                Mode(all.Modes[node]), checked((int)all.Features[node]), all.Splits[node], trueChild, falseChild,
                all.Missing.Length > 0 && all.Missing[node] == 1, []);
        }

        return new DecisionTree(list.ToArray());

        int Slot(int index, bool leaf)
        {
            var slots = leaf ? leafSlots : branchSlots;
            if (slots.TryGetValue(index, out var existing))
            {
                return existing;
            }

            var size = leaf ? all.LeafTargets.Length : all.Features.Length;
            if (index < 0 || index >= size)
            {
                throw new TreeEngineNotCoveredException($"tree {tree} points to {(leaf ? "leaf" : "node")} {index} of {size}");
            }

            var slot = list.Count;
            slots[index] = slot;
            list.Add(leaf ? Leaf(all, index, tree) : default);
            if (!leaf)
            {
                pending.Enqueue(index);
            }

            return slot;
        }
    }

    private static TreeNode Leaf(V5Nodes all, int index, int tree) =>
        index >= 0 && index < all.LeafTargets.Length
            ? new TreeNode(TreeNodeMode.Leaf, 0, 0f, -1, -1, false, [new TargetWeight(checked((int)all.LeafTargets[index]), all.LeafWeights[index])])
            : throw new TreeEngineNotCoveredException($"tree {tree} points to leaf {index} of {all.LeafTargets.Length}");

    private static TreeNodeMode Mode(byte mode) => mode switch
    {
        0 => TreeNodeMode.BranchLeq,
        1 => TreeNodeMode.BranchLt,
        2 => TreeNodeMode.BranchGte,
        3 => TreeNodeMode.BranchGt,
        4 => TreeNodeMode.BranchEq,
        5 => TreeNodeMode.BranchNeq,
        _ => throw new TreeEngineNotCoveredException($"node mode {mode} is served by ONNX Runtime"),
    };

    private sealed record V5Nodes(
        long[] Features, float[] Splits, byte[] Modes, long[] TrueIds, long[] TrueLeafs, long[] FalseIds, long[] FalseLeafs, long[] Missing,
        long[] LeafTargets, float[] LeafWeights);
}
