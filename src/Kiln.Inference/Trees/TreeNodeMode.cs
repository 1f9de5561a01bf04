namespace Kiln.Inference.Trees;

/// <summary>How a decision node compares a feature value with its threshold, or that the node is a leaf.</summary>
internal enum TreeNodeMode : byte
{
    /// <summary>True branch when value ≤ threshold.</summary>
    BranchLeq,

    /// <summary>True branch when value &lt; threshold.</summary>
    BranchLt,

    /// <summary>True branch when value ≥ threshold.</summary>
    BranchGte,

    /// <summary>True branch when value &gt; threshold.</summary>
    BranchGt,

    /// <summary>True branch when value = threshold.</summary>
    BranchEq,

    /// <summary>True branch when value ≠ threshold.</summary>
    BranchNeq,

    /// <summary>A leaf: it carries weights instead of a test.</summary>
    Leaf,
}

/// <summary>How the leaves reached in every tree combine into one score per target.</summary>
internal enum TreeAggregation : byte
{
    Sum,
    Average,
    Min,
    Max,
}
