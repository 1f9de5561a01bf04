using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kiln.Inference.Trees;

/// <summary>Whether a target's score is set for every row (some tree gives it a weight in every leaf) or never.</summary>
internal enum TargetScoring : byte
{
    Always,
    Never,
}

/// <summary>
/// A tree ensemble laid out for speed. Every tree is stored breadth first in one array of 16-byte nodes
/// whose two children sit side by side, so a step down is <c>next = node.Left + goesRight</c> with no branch.
/// Each comparison mode is rewritten once, here, into "go right when value &gt; threshold" (LT and GTE
/// by moving the threshold to the next float down, GT and GTE by swapping the children), with the side a
/// NaN takes kept per node. Leaves point back to themselves, so every row walks each tree for the tree's
/// full depth in lockstep with the other rows of its block: the steps of different rows do not depend on
/// each other and the processor overlaps them. Scores are summed in the trees' own order in float32, the
/// order and precision ONNX Runtime uses, so the sums agree with it bit for bit.
/// </summary>
internal sealed class CompiledTreeEnsemble
{
    /// <summary>How many (tree, row) walks advance together.</summary>
    internal const int Lanes = 16;

    /// <summary>Rows scored tree by tree together: 256 rows of a few dozen features and their scores fit in L1.</summary>
    private const int ChunkRows = 256;

    /// <summary>From this many rows on, ensembles of small trees are scored with bitvectors (<see cref="BitvectorScorer"/>).</summary>
    internal const int BitvectorMinRows = 4;
    private const int MaxDepth = 512;

    private readonly FlatNode[] _nodes;
    private readonly CompiledTree[] _trees;
    private readonly float[] _leafFirstWeight;
    private readonly double[] _leafFirstWeightDouble;
    private readonly int[] _leafWeightStart;
    private readonly int[] _leafWeightCount;
    private readonly int[] _weightTargets;
    private readonly float[] _weightValues;
    private readonly GeneralNode[]? _general;
    private readonly SplitKernel _kernel;
    private readonly BitvectorScorer? _bitvectors;
    private readonly float[]? _leafValueTable;
    private readonly double[]? _leafValueTableDouble;
    private readonly int _tableTarget;

    private CompiledTreeEnsemble(
        TreeEnsembleDefinition definition,
        FlatNode[] nodes,
        CompiledTree[] trees,
        LeafTable leaves,
        GeneralNode[]? general,
        SplitKernel kernel)
    {
        TargetCount = definition.TargetCount;
        Aggregation = definition.Aggregation;
        TreeCount = trees.Length;
        _nodes = nodes;
        _trees = trees;
        _leafFirstWeight = leaves.FirstWeight;
        _leafFirstWeightDouble = leaves.FirstWeightDouble;
        _leafWeightStart = leaves.Start;
        _leafWeightCount = leaves.Count;
        _weightTargets = leaves.Targets;
        _weightValues = leaves.Values;
        _general = general;
        _kernel = kernel;
        _bitvectors = kernel == SplitKernel.General
            ? null
            : BitvectorScorer.TryBuild(nodes, trees.Select(t => t.Root).ToArray(), leaves.FeatureCount, kernel == SplitKernel.NaNGoesRight, kernel == SplitKernel.NaNSidePerNode);
        // One scored target (a regressor, or a binary classifier whose trees all score the same class): its leaf
        // values are gathered and added by the bitvector scorer itself.
        var scoredTarget = TargetCount == 1 ? 0 : trees.All(t => t.SingleTarget == trees[0].SingleTarget) ? trees[0].SingleTarget : -1;
        if (_bitvectors is not null && scoredTarget >= 0 && Aggregation is TreeAggregation.Sum or TreeAggregation.Average)
        {
            _tableTarget = scoredTarget;
            _leafValueTableDouble = new double[trees.Length * BitvectorScorer.TableStride];
            _leafValueTable = new float[trees.Length * BitvectorScorer.TableStride];
            for (var t = 0; t < trees.Length; t++)
            {
                var ids = _bitvectors.LeafIds[t];
                for (var leaf = 0; leaf < ids.Length; leaf++)
                {
                    _leafValueTable[t * BitvectorScorer.TableStride + leaf] = leaves.FirstWeight[ids[leaf]];
                    _leafValueTableDouble[t * BitvectorScorer.TableStride + leaf] = leaves.FirstWeightDouble[ids[leaf]];
                }
            }
        }
        FeatureCount = leaves.FeatureCount;
        Scoring = leaves.Scoring;
    }

    public int TargetCount { get; }

    public int TreeCount { get; }

    public TreeAggregation Aggregation { get; }

    /// <summary>One more than the highest feature index any node reads.</summary>
    public int FeatureCount { get; }

    /// <summary>Per target, whether every row's score is set or none is.</summary>
    public IReadOnlyList<TargetScoring> Scoring { get; }

    /// <summary>How comparisons are made: the layout's single rule, or node by node for modes it cannot rewrite.</summary>
    public string KernelName => _bitvectors is null ? _kernel.ToString() : $"{_kernel}, bitvectors from {BitvectorMinRows} rows";

    /// <summary>Compiles <paramref name="definition"/>; throws <see cref="TreeEngineNotCoveredException"/> for what the engine does not cover.</summary>
    public static CompiledTreeEnsemble Compile(TreeEnsembleDefinition definition)
    {
        if (definition.Trees.Count == 0)
        {
            throw new TreeEngineNotCoveredException("the ensemble has no trees");
        }

        var leaves = LeafTable.Build(definition);
        var kernel = ChooseKernel(definition);
        var general = kernel == SplitKernel.General ? BuildGeneral(definition, leaves) : null;
        var (nodes, trees) = Layout(definition, leaves, kernel);
        return new CompiledTreeEnsemble(definition, nodes, trees, leaves, general, kernel);
    }

    /// <summary>
    /// Scores <paramref name="rows"/> rows of <paramref name="stride"/> features each into
    /// <paramref name="scores"/> ([rows, TargetCount], row-major): each target's sum, minimum or maximum
    /// over the trees (an average is left as its sum). Targets never scored stay 0.
    /// </summary>
    public void Score(ReadOnlySpan<float> features, int rows, int stride, Span<float> scores) => Score(features, rows, stride, scores, default);

    /// <summary>
    /// As <see cref="Score(ReadOnlySpan{float}, int, int, Span{float})"/>, but sums start from <paramref name="initial"/>
    /// (one value per target, e.g. XGBoost's base margin, which it adds before the trees) instead of 0.
    /// </summary>
    public void Score(ReadOnlySpan<float> features, int rows, int stride, Span<float> scores, ReadOnlySpan<float> initial)
    {
        if (stride < FeatureCount)
        {
            throw new ArgumentException($"rows have {stride} features but the trees read feature {FeatureCount - 1}.", nameof(stride));
        }

        if (features.Length < rows * stride || scores.Length < rows * TargetCount)
        {
            throw new ArgumentException("the buffers are smaller than the rows.");
        }

        var empty = Aggregation switch
        {
            TreeAggregation.Min => float.PositiveInfinity,
            TreeAggregation.Max => float.NegativeInfinity,
            _ => 0f,
        };
        scores[..(rows * TargetCount)].Fill(empty);
        if (!initial.IsEmpty)
        {
            if (initial.Length != TargetCount || Aggregation != TreeAggregation.Sum)
            {
                throw new ArgumentException("initial scores are one per target, for summed ensembles.", nameof(initial));
            }

            for (var row = 0; row < rows; row++)
            {
                initial.CopyTo(scores.Slice(row * TargetCount, TargetCount));
            }
        }

        if (_bitvectors is not null && rows >= BitvectorMinRows && _leafValueTable is { } table)
        {
            // The common case (one score, summed): leaf values gathered and added in the scorer.
            AddLeafValues(_bitvectors, table, features, rows, stride, scores, TargetCount, _tableTarget);
        }
        else
        {
            var sink = new FloatScores(this, scores);
            FindLeaves(features, rows, stride, ref sink);
        }

        if (Aggregation is TreeAggregation.Min or TreeAggregation.Max)
        {
            for (var target = 0; target < TargetCount; target++)
            {
                if (Scoring[target] == TargetScoring.Never)
                {
                    for (var row = 0; row < rows; row++)
                    {
                        scores[row * TargetCount + target] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>Whether <see cref="ScoreSums"/> can score this ensemble: its trees are summed, each into one target.</summary>
    public bool SumsEachTreeIntoOneTarget => Aggregation == TreeAggregation.Sum && (TargetCount == 1 || _trees.All(t => t.SingleTarget >= 0));

    /// <summary>
    /// Scores <paramref name="rows"/> rows into <paramref name="sums"/> ([rows, TargetCount], row-major) as ML.NET and
    /// LightGBM do: each tree's leaf value, in double, added in the trees' order from 0. Only for ensembles whose
    /// <see cref="SumsEachTreeIntoOneTarget"/>.
    /// </summary>
    public void ScoreSums(ReadOnlySpan<float> features, int rows, int stride, Span<double> sums)
    {
        if (!SumsEachTreeIntoOneTarget)
        {
            throw new InvalidOperationException("only summed ensembles whose trees each score one target are summed in double.");
        }

        if (stride < FeatureCount || features.Length < rows * stride || sums.Length < rows * TargetCount)
        {
            throw new ArgumentException("the buffers are smaller than the rows.");
        }

        sums[..(rows * TargetCount)].Clear();
        if (_bitvectors is { } scorer && rows >= BitvectorMinRows && _leafValueTableDouble is { } table && Aggregation == TreeAggregation.Sum)
        {
            // One scored target: leaf values gathered and added in double by the scorer, each row in tree order.
            const int lanes = BitvectorScorer.Lanes;
            Span<double> column = stackalloc double[lanes];
            for (var start = 0; start < rows; start += lanes)
            {
                var count = Math.Min(lanes, rows - start);
                for (var r = 0; r < count; r++)
                {
                    column[r] = sums[((start + r) * TargetCount) + _tableTarget];
                }

                scorer.AddLeafValues(features.Slice(start * stride, count * stride), count, stride, table, column[..count]);
                for (var r = 0; r < count; r++)
                {
                    sums[((start + r) * TargetCount) + _tableTarget] = column[r];
                }
            }

            return;
        }

        var sink = new DoubleSums(this, sums);
        FindLeaves(features, rows, stride, ref sink);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a vector kernel: optimised from its first call (tier-0 vector code is many times slower)
    private static void AddLeafValues(BitvectorScorer scorer, float[] table, ReadOnlySpan<float> features, int rows, int stride, Span<float> scores, int targets, int target)
    {
        const int lanes = BitvectorScorer.Lanes;
        Span<float> column = stackalloc float[lanes];
        for (var start = 0; start < rows; start += lanes)
        {
            var count = Math.Min(lanes, rows - start);
            var block = features.Slice(start * stride, count * stride);
            if (targets == 1)
            {
                scorer.AddLeafValues(block, count, stride, table, scores.Slice(start, count));
                continue;
            }

            // The scored target's column, gathered from the row-major scores and put back.
            for (var r = 0; r < count; r++)
            {
                column[r] = scores[((start + r) * targets) + target];
            }

            scorer.AddLeafValues(block, count, stride, table, column[..count]);
            for (var r = 0; r < count; r++)
            {
                scores[((start + r) * targets) + target] = column[r];
            }
        }
    }

    /// <summary>
    /// Finds the leaf every row reaches in every tree and hands them to <paramref name="sink"/> tree by tree, each row's
    /// trees in their order: with bitvectors from <see cref="BitvectorMinRows"/> rows, else by walking the laid-out trees.
    /// </summary>
    private void FindLeaves<TSink>(ReadOnlySpan<float> features, int rows, int stride, ref TSink sink)
        where TSink : ILeafSink, allows ref struct
    {
        if (_bitvectors is { } scorer && rows >= BitvectorMinRows)
        {
            const int lanes = BitvectorScorer.Lanes;
            var found = ArrayPool<int>.Shared.Rent(_trees.Length * lanes);
            try
            {
                for (var start = 0; start < rows; start += lanes)
                {
                    var count = Math.Min(lanes, rows - start);
                    scorer.FindLeaves(features.Slice(start * stride, count * stride), count, stride, found);
                    for (var t = 0; t < _trees.Length; t++)
                    {
                        sink.Add(t, found.AsSpan(t * lanes, count), start);
                    }
                }
            }
            finally
            {
                ArrayPool<int>.Shared.Return(found);
            }

            return;
        }

        Span<int> leaves = stackalloc int[Lanes];
        Span<int> rowStarts = stackalloc int[Lanes];
        if (rows < Lanes)
        {
            // Fewer rows than lanes (a single-row request): walk several trees at once instead.
            var group = Lanes / rows;
            for (var t = 0; t < _trees.Length; t += group)
            {
                var trees = Math.Min(group, _trees.Length - t);
                FindLeaves(t, trees, features, rows, stride, leaves, rowStarts);
                for (var j = 0; j < trees; j++)
                {
                    sink.Add(t + j, leaves.Slice(j * rows, rows), 0);
                }
            }

            return;
        }

        // Chunks of rows small enough to stay in L1, each tree over the whole chunk before the next, so a
        // tree's nodes are loaded once per chunk; within the chunk, lanes of rows walk together.
        for (var chunk = 0; chunk < rows; chunk += ChunkRows)
        {
            var chunkRows = Math.Min(ChunkRows, rows - chunk);
            for (var t = 0; t < _trees.Length; t++)
            {
                for (var start = chunk; start < chunk + chunkRows; start += Lanes)
                {
                    var count = Math.Min(Lanes, chunk + chunkRows - start);
                    FindLeaves(t, 1, features.Slice(start * stride, count * stride), count, stride, leaves, rowStarts);
                    sink.Add(t, leaves[..count], start);
                }
            }
        }
    }

    /// <summary>Finds, for trees <paramref name="first"/>.. and each row of the block, the leaf reached: <paramref name="leaves"/>[tree * count + row].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a vector kernel: optimised from its first call (tier-0 vector code is many times slower)
    private void FindLeaves(int first, int trees, ReadOnlySpan<float> block, int count, int stride, Span<int> leaves, Span<int> rowStarts)
    {
        if (_kernel == SplitKernel.General)
        {
            for (var j = 0; j < trees; j++)
            {
                WalkGeneral(_trees[first + j], block, count, stride, leaves.Slice(j * count, count));
            }

            return;
        }

        var lanes = trees * count;
        var depth = 0;
        for (var j = 0; j < trees; j++)
        {
            var tree = _trees[first + j];
            depth = Math.Max(depth, tree.Depth);
            for (var r = 0; r < count; r++)
            {
                leaves[j * count + r] = tree.Root;
                rowStarts[j * count + r] = r * stride;
            }
        }

        switch (_kernel)
        {
            case SplitKernel.NaNGoesLeft:
                Walk<NaNGoesLeft>(block, depth, leaves[..lanes], rowStarts);
                break;
            case SplitKernel.NaNGoesRight:
                Walk<NaNGoesRight>(block, depth, leaves[..lanes], rowStarts);
                break;
            default:
                Walk<NaNSidePerNode>(block, depth, leaves[..lanes], rowStarts);
                break;
        }
    }

    /// <summary>
    /// Walks every lane (a tree and a row) down one level per step, all lanes in lockstep so their loads overlap,
    /// until a step finds every lane on a leaf or the deepest tree's depth is reached; then turns slots into leaf ids.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a vector kernel: optimised from its first call (tier-0 vector code is many times slower)
    private void Walk<TRule>(ReadOnlySpan<float> block, int depth, Span<int> lanes, ReadOnlySpan<int> rowStarts)
        where TRule : struct, ISplitRule
    {
        ref var nodes = ref MemoryMarshal.GetArrayDataReference(_nodes);
        ref var x = ref MemoryMarshal.GetReference(block);
        ref var at = ref MemoryMarshal.GetReference(lanes);
        ref var rowStart = ref MemoryMarshal.GetReference(rowStarts);
        var count = lanes.Length;
        for (var step = 0; step < depth; step++)
        {
            var leavesOnly = -1;
            for (var l = 0; l < count; l++)
            {
                ref var node = ref Unsafe.Add(ref nodes, Unsafe.Add(ref at, l));
                var value = Unsafe.Add(ref x, Unsafe.Add(ref rowStart, l) + node.Feature);
                Unsafe.Add(ref at, l) = node.Left + TRule.GoesRight(value, node.Threshold, node.Extra);
                leavesOnly &= node.Extra;
            }

            // Leaves carry a negative Extra, branches 0 or 1: the AND keeps its sign bit only if every lane stood on a leaf.
            if (leavesOnly < 0)
            {
                break;
            }
        }

        for (var l = 0; l < count; l++)
        {
            Unsafe.Add(ref at, l) = ~Unsafe.Add(ref nodes, Unsafe.Add(ref at, l)).Extra;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a vector kernel: optimised from its first call (tier-0 vector code is many times slower)
    private void WalkGeneral(CompiledTree tree, ReadOnlySpan<float> block, int count, int stride, Span<int> leaves)
    {
        var nodes = _general!;
        for (var r = 0; r < count; r++)
        {
            var row = block.Slice(r * stride, stride);
            var index = tree.GeneralRoot;
            while (nodes[index].Mode != TreeNodeMode.Leaf)
            {
                ref readonly var node = ref nodes[index];
                var value = row[node.Feature];
                var goesTrue = node.Mode switch
                {
                    TreeNodeMode.BranchLeq => value <= node.Threshold,
                    TreeNodeMode.BranchLt => value < node.Threshold,
                    TreeNodeMode.BranchGte => value >= node.Threshold,
                    TreeNodeMode.BranchGt => value > node.Threshold,
                    TreeNodeMode.BranchEq => value == node.Threshold,
                    _ => value != node.Threshold,
                } || (node.MissingGoesTrue && float.IsNaN(value));
                index = goesTrue ? node.TrueNode : node.FalseNode;
            }

            leaves[r] = nodes[index].Leaf;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a vector kernel: optimised from its first call (tier-0 vector code is many times slower)
    private void Accumulate(int tree, ReadOnlySpan<int> leaves, Span<float> scores)
    {
        var targets = TargetCount;
        if (targets == 1)
        {
            // One target: the leaf's first weight, as ONNX Runtime's single-target path reads it.
            switch (Aggregation)
            {
                case TreeAggregation.Min:
                    for (var r = 0; r < leaves.Length; r++)
                    {
                        var w = _leafFirstWeight[leaves[r]];
                        scores[r] = w < scores[r] ? w : scores[r];
                    }

                    break;
                case TreeAggregation.Max:
                    for (var r = 0; r < leaves.Length; r++)
                    {
                        var w = _leafFirstWeight[leaves[r]];
                        scores[r] = w > scores[r] ? w : scores[r];
                    }

                    break;
                default:
                    for (var r = 0; r < leaves.Length; r++)
                    {
                        scores[r] += _leafFirstWeight[leaves[r]];
                    }

                    break;
            }

            return;
        }

        var single = _trees[tree].SingleTarget;
        if (single >= 0 && Aggregation is TreeAggregation.Sum or TreeAggregation.Average)
        {
            for (var r = 0; r < leaves.Length; r++)
            {
                scores[r * targets + single] += _leafFirstWeight[leaves[r]];
            }

            return;
        }

        for (var r = 0; r < leaves.Length; r++)
        {
            var leaf = leaves[r];
            var end = _leafWeightStart[leaf] + _leafWeightCount[leaf];
            for (var w = _leafWeightStart[leaf]; w < end; w++)
            {
                ref var score = ref scores[r * targets + _weightTargets[w]];
                var value = _weightValues[w];
                score = Aggregation switch
                {
                    TreeAggregation.Min => value < score ? value : score,
                    TreeAggregation.Max => value > score ? value : score,
                    _ => score + value,
                };
            }
        }
    }

    private static SplitKernel ChooseKernel(TreeEnsembleDefinition definition)
    {
        bool anyNaNLeft = false, anyNaNRight = false;
        foreach (var tree in definition.Trees)
        {
            foreach (var node in tree.Nodes)
            {
                if (node.IsLeaf)
                {
                    continue;
                }

                if (!Rewritable(node))
                {
                    return SplitKernel.General;
                }

                if (Rewrite(node).NaNGoesRight)
                {
                    anyNaNRight = true;
                }
                else
                {
                    anyNaNLeft = true;
                }
            }
        }

        return (anyNaNLeft, anyNaNRight) switch
        {
            (true, true) => SplitKernel.NaNSidePerNode,
            (false, true) => SplitKernel.NaNGoesRight,
            _ => SplitKernel.NaNGoesLeft,
        };
    }

    private static bool Rewritable(TreeNode node) => node.Mode switch
    {
        TreeNodeMode.BranchLeq or TreeNodeMode.BranchGt => !float.IsNaN(node.Threshold),
        TreeNodeMode.BranchLt or TreeNodeMode.BranchGte => !float.IsNaN(node.Threshold) && !float.IsNegativeInfinity(node.Threshold),
        _ => false,
    };

    /// <summary>The node as "right when value &gt; threshold": which original child is left and right, and where NaN goes.</summary>
    private static (int Left, int Right, float Threshold, bool NaNGoesRight) Rewrite(TreeNode node) => node.Mode switch
    {
        TreeNodeMode.BranchLeq => (node.TrueChild, node.FalseChild, node.Threshold, !node.MissingGoesTrue),
        TreeNodeMode.BranchLt => (node.TrueChild, node.FalseChild, MathF.BitDecrement(node.Threshold), !node.MissingGoesTrue),
        TreeNodeMode.BranchGt => (node.FalseChild, node.TrueChild, node.Threshold, node.MissingGoesTrue),
        TreeNodeMode.BranchGte => (node.FalseChild, node.TrueChild, MathF.BitDecrement(node.Threshold), node.MissingGoesTrue),
        _ => throw new InvalidOperationException($"mode {node.Mode} cannot be rewritten"),
    };

    private static (FlatNode[] Nodes, CompiledTree[] Trees) Layout(TreeEnsembleDefinition definition, LeafTable leaves, SplitKernel kernel)
    {
        var nodes = new List<FlatNode>();
        var trees = new CompiledTree[definition.Trees.Count];
        var queue = new Queue<(int Source, int Slot, int Depth)>();
        var generalRoot = 0;
        for (var t = 0; t < trees.Length; t++)
        {
            var tree = definition.Trees[t];
            var root = nodes.Count;
            var depth = 0;
            nodes.Add(default);
            queue.Enqueue((0, root, 0));
            while (queue.TryDequeue(out var item))
            {
                var node = tree.Nodes[item.Source];
                if (item.Depth > MaxDepth)
                {
                    throw new TreeEngineNotCoveredException($"tree {t} is deeper than {MaxDepth} levels or has a cycle");
                }

                if (node.IsLeaf)
                {
                    depth = Math.Max(depth, item.Depth);
                    nodes[item.Slot] = LeafNode(item.Slot, leaves.LeafIds[t][item.Source], kernel);
                    continue;
                }

                var children = nodes.Count;
                nodes.Add(default);
                nodes.Add(default);
                if (kernel == SplitKernel.General)
                {
                    // The general walker uses its own node list; this layout only fixes depth and leaf order.
                    nodes[item.Slot] = new FlatNode(node.Feature, node.Threshold, children, 0);
                    queue.Enqueue((node.TrueChild, children, item.Depth + 1));
                    queue.Enqueue((node.FalseChild, children + 1, item.Depth + 1));
                    continue;
                }

                var (left, right, threshold, nanRight) = Rewrite(node);
                nodes[item.Slot] = new FlatNode(node.Feature, threshold, children, nanRight ? 1 : 0);
                queue.Enqueue((left, children, item.Depth + 1));
                queue.Enqueue((right, children + 1, item.Depth + 1));
            }

            trees[t] = new CompiledTree(root, depth, leaves.SingleTargets[t], generalRoot);
            generalRoot += tree.Nodes.Length;
        }

        return (nodes.ToArray(), trees);
    }

    /// <summary>A leaf steps onto itself whatever the value: "value &gt; +∞" is never true, "not value ≤ NaN" always is.</summary>
    private static FlatNode LeafNode(int slot, int leaf, SplitKernel kernel) => kernel == SplitKernel.NaNGoesRight
        ? new FlatNode(0, float.NaN, slot - 1, ~leaf)
        : new FlatNode(0, float.PositiveInfinity, slot, ~leaf);

    private static GeneralNode[] BuildGeneral(TreeEnsembleDefinition definition, LeafTable leaves)
    {
        var general = new List<GeneralNode>();
        for (var t = 0; t < definition.Trees.Count; t++)
        {
            var offset = general.Count;
            var nodes = definition.Trees[t].Nodes;
            for (var i = 0; i < nodes.Length; i++)
            {
                var node = nodes[i];
                general.Add(node.IsLeaf
                    ? new GeneralNode(TreeNodeMode.Leaf, 0, 0, 0, 0, false, leaves.LeafIds[t][i])
                    : new GeneralNode(node.Mode, node.Feature, node.Threshold, offset + node.TrueChild, offset + node.FalseChild, node.MissingGoesTrue, -1));
            }
        }

        return general.ToArray();
    }

    /// <summary>Takes the leaves a tree gave a run of rows (<c>leaves[i]</c> is row <c>firstRow + i</c>'s).</summary>
    private interface ILeafSink
    {
        void Add(int tree, scoped ReadOnlySpan<int> leaves, int firstRow);
    }

    /// <summary>Combines leaf weights into float32 scores by the ensemble's aggregation.</summary>
    private readonly ref struct FloatScores(CompiledTreeEnsemble ensemble, Span<float> scores) : ILeafSink
    {
        private readonly Span<float> _scores = scores;

        public void Add(int tree, scoped ReadOnlySpan<int> leaves, int firstRow) =>
            ensemble.Accumulate(tree, leaves, _scores.Slice(firstRow * ensemble.TargetCount, leaves.Length * ensemble.TargetCount));
    }

    /// <summary>Adds leaf values in double, each tree into its one target.</summary>
    private readonly ref struct DoubleSums(CompiledTreeEnsemble ensemble, Span<double> sums) : ILeafSink
    {
        private readonly Span<double> _sums = sums;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(int tree, scoped ReadOnlySpan<int> leaves, int firstRow)
        {
            var values = ensemble._leafFirstWeightDouble;
            var targets = ensemble.TargetCount;
            var target = targets == 1 ? 0 : ensemble._trees[tree].SingleTarget;
            var sums = _sums.Slice(firstRow * targets);
            for (var r = 0; r < leaves.Length; r++)
            {
                sums[r * targets + target] += values[leaves[r]];
            }
        }
    }

    private enum SplitKernel : byte
    {
        NaNGoesLeft,
        NaNGoesRight,
        NaNSidePerNode,
        General,
    }

    /// <summary>A laid-out node. Internal nodes: <see cref="Extra"/> is 1 when NaN goes right. Leaves: <see cref="Extra"/> is the complement of the leaf id.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal readonly record struct FlatNode(int Feature, float Threshold, int Left, int Extra);

    private readonly record struct GeneralNode(TreeNodeMode Mode, int Feature, float Threshold, int TrueNode, int FalseNode, bool MissingGoesTrue, int Leaf);

    /// <summary>A tree's root slot, its depth (steps every row takes), and the one target all its leaves score, or -1.</summary>
    private readonly record struct CompiledTree(int Root, int Depth, int SingleTarget, int GeneralRoot);

    private interface ISplitRule
    {
        static abstract int GoesRight(float value, float threshold, int extra);
    }

    /// <summary>Right when value &gt; threshold; NaN compares false and goes left.</summary>
    private readonly struct NaNGoesLeft : ISplitRule
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int GoesRight(float value, float threshold, int extra) => Unsafe.BitCast<bool, byte>(value > threshold);
    }

    /// <summary>Right unless value ≤ threshold; NaN compares false and goes right.</summary>
    private readonly struct NaNGoesRight : ISplitRule
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int GoesRight(float value, float threshold, int extra) => Unsafe.BitCast<bool, byte>(!(value <= threshold));
    }

    /// <summary>Right when value &gt; threshold, or when value is NaN and the node sends NaN right.</summary>
    private readonly struct NaNSidePerNode : ISplitRule
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int GoesRight(float value, float threshold, int extra) =>
            Unsafe.BitCast<bool, byte>(value > threshold) | (Unsafe.BitCast<bool, byte>(float.IsNaN(value)) & Unsafe.BitCast<bool, byte>(extra == 1));
    }

    /// <summary>Every leaf's weights in one place, each leaf numbered across the ensemble.</summary>
    private sealed class LeafTable
    {
        public required int[][] LeafIds { get; init; }
        public required float[] FirstWeight { get; init; }
        public required double[] FirstWeightDouble { get; init; }
        public required int[] Start { get; init; }
        public required int[] Count { get; init; }
        public required int[] Targets { get; init; }
        public required float[] Values { get; init; }
        public required int[] SingleTargets { get; init; }
        public required TargetScoring[] Scoring { get; init; }
        public required int FeatureCount { get; init; }

        public static LeafTable Build(TreeEnsembleDefinition definition)
        {
            var leafIds = new int[definition.Trees.Count][];
            var singleTargets = new int[definition.Trees.Count];
            List<float> first = [];
            List<double> firstDouble = [];
            List<int> start = [], count = [], targets = [];
            List<float> values = [];
            var always = new bool[definition.TargetCount];
            var ever = new bool[definition.TargetCount];
            var featureCount = 0;
            for (var t = 0; t < definition.Trees.Count; t++)
            {
                var nodes = definition.Trees[t].Nodes;
                leafIds[t] = new int[nodes.Length];
                var everyLeaf = Enumerable.Repeat(true, definition.TargetCount).ToArray();
                var single = -2;
                for (var i = 0; i < nodes.Length; i++)
                {
                    var node = nodes[i];
                    if (!node.IsLeaf)
                    {
                        if (node.Feature < 0 || node.TrueChild < 0 || node.TrueChild >= nodes.Length || node.FalseChild < 0 || node.FalseChild >= nodes.Length)
                        {
                            throw new TreeEngineNotCoveredException($"tree {t} node {i} points outside its tree");
                        }

                        featureCount = Math.Max(featureCount, node.Feature + 1);
                        leafIds[t][i] = -1;
                        continue;
                    }

                    if (node.Weights.Length == 0)
                    {
                        throw new TreeEngineNotCoveredException($"tree {t} leaf {i} has no weight");
                    }

                    if (definition.TargetCount == 1 && node.Weights.Length != 1)
                    {
                        throw new TreeEngineNotCoveredException($"tree {t} leaf {i} has {node.Weights.Length} weights for a single target");
                    }

                    var seen = new bool[definition.TargetCount];
                    foreach (var weight in node.Weights)
                    {
                        if (weight.Target < 0 || weight.Target >= definition.TargetCount)
                        {
                            throw new TreeEngineNotCoveredException($"tree {t} leaf {i} weights target {weight.Target} of {definition.TargetCount}");
                        }

                        if (seen[weight.Target] && definition.TargetCount > 1)
                        {
                            throw new TreeEngineNotCoveredException($"tree {t} leaf {i} weights target {weight.Target} twice");
                        }

                        seen[weight.Target] = true;
                        ever[weight.Target] = true;
                    }

                    for (var k = 0; k < seen.Length; k++)
                    {
                        everyLeaf[k] &= seen[k] || definition.TargetCount == 1;
                    }

                    single = node.Weights.Length == 1 && (single == -2 || single == node.Weights[0].Target) ? node.Weights[0].Target : -1;
                    leafIds[t][i] = first.Count;
                    first.Add((float)node.Weights[0].Value);
                    firstDouble.Add(node.Weights[0].Value);
                    start.Add(targets.Count);
                    count.Add(node.Weights.Length);
                    foreach (var weight in node.Weights)
                    {
                        targets.Add(weight.Target);
                        values.Add((float)weight.Value);
                    }
                }

                singleTargets[t] = single < 0 ? -1 : single;
                for (var k = 0; k < always.Length; k++)
                {
                    always[k] |= everyLeaf[k];
                }
            }

            var scoring = new TargetScoring[definition.TargetCount];
            for (var k = 0; k < scoring.Length; k++)
            {
                scoring[k] = always[k] || definition.TargetCount == 1 ? TargetScoring.Always
                    : !ever[k] ? TargetScoring.Never
                    : throw new TreeEngineNotCoveredException($"target {k} is scored on some paths only");
            }

            return new LeafTable
            {
                LeafIds = leafIds,
                FirstWeight = first.ToArray(),
                FirstWeightDouble = firstDouble.ToArray(),
                Start = start.ToArray(),
                Count = count.ToArray(),
                Targets = targets.ToArray(),
                Values = values.ToArray(),
                SingleTargets = singleTargets,
                Scoring = scoring,
                FeatureCount = featureCount,
            };
        }
    }
}
