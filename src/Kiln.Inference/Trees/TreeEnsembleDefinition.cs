namespace Kiln.Inference.Trees;

/// <summary>
/// What a leaf adds to one target's score. Held in double, as ML.NET and LightGBM store leaf values; formats
/// that store float32 (ONNX, XGBoost) convert exactly, and their sums are made in float32 from it.
/// </summary>
internal readonly record struct TargetWeight(int Target, double Value);

/// <summary>
/// One node as the model format states it. Children are indexes into the same tree's node list.
/// <paramref name="MissingGoesTrue"/>: a NaN feature value takes the true branch (else the comparison decides, and NaN compares false).
/// </summary>
internal readonly record struct TreeNode(
    TreeNodeMode Mode,
    int Feature,
    float Threshold,
    int TrueChild,
    int FalseChild,
    bool MissingGoesTrue,
    TargetWeight[] Weights)
{
    public bool IsLeaf => Mode == TreeNodeMode.Leaf;
}

/// <summary>One decision tree: its nodes, the root first.</summary>
internal sealed record DecisionTree(TreeNode[] Nodes);

/// <summary>
/// A tree ensemble in a form independent of the file it came from (ONNX today): the trees in the order
/// their scores are added, how many targets (regression outputs or class columns) they score, and how
/// the leaves reached combine. What happens to the combined scores (base values, transforms, labels)
/// belongs to the format's own output rules.
/// </summary>
internal sealed record TreeEnsembleDefinition(IReadOnlyList<DecisionTree> Trees, int TargetCount, TreeAggregation Aggregation);

/// <summary>A model the compiled tree engine does not cover; the message says what, and the model is served by its reference runtime.</summary>
internal sealed class TreeEngineNotCoveredException(string reason) : Exception(reason);
