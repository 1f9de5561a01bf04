using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Inference.Trees;

/// <summary>
/// Finds the leaves of many rows at once for ensembles whose trees have at most 32 leaves, after the
/// QuickScorer algorithm (Lucchese et al., SIGIR 2015) in its vectorized form: each tree's leaves are
/// numbered left to right and every row keeps one 32-bit word per tree, all ones at first. A branch
/// node a row passes to the right rules out every leaf of its left subtree, so the word is ANDed with
/// the mask of that subtree cleared; the row's exit leaf is then the lowest bit still set. Nodes are grouped by
/// feature and sorted by threshold, so for one feature a block of rows stops at the first threshold no
/// row exceeds: the work is sequential, branch-free per row, and <see cref="Lanes"/> rows share every step.
/// </summary>
internal sealed class BitvectorScorer
{
    /// <summary>Rows scored together: two vectors of eight lanes, so each node's loop overhead is shared by sixteen rows.</summary>
    public const int Lanes = 16;

    private const int Half = 8;

    /// <summary>Trees whose words are updated together: 128 trees × 16 rows × 4 bytes = 8 KB, well inside L1.</summary>
    private const int GroupTrees = 128;

    private const int MaxLeaves = 32;

    private readonly SortedNode[] _nodes;
    private readonly float[] _thresholds;
    /// <summary>Where each (tree group, feature)'s nodes start in <see cref="_nodes"/>, one more entry at the end.</summary>
    private readonly int[] _featureStarts;
    private readonly int _featureCount;
    private readonly uint[] _initial;
    private readonly int[][] _leafIds;
    private readonly bool _nanMayGoRight;
    private readonly bool _nanSidePerNode;

    private BitvectorScorer(SortedNode[] nodes, int[] featureStarts, int featureCount, uint[] initial, int[][] leafIds, bool nanMayGoRight, bool nanSidePerNode)
    {
        _featureCount = featureCount;
        _nodes = nodes;
        _thresholds = nodes.Select(n => n.Threshold).ToArray();
        _featureStarts = featureStarts;
        _initial = initial;
        _leafIds = leafIds;
        _nanMayGoRight = nanMayGoRight;
        _nanSidePerNode = nanSidePerNode;
    }

    public int TreeCount => _initial.Length;

    /// <summary>The leaves of each tree, by their number in the tree's words.</summary>
    public IReadOnlyList<int[]> LeafIds => _leafIds;

    /// <summary>Slots per tree in a leaf-value table for the AddLeafValues methods.</summary>
    public const int TableStride = MaxLeaves;

    /// <summary>
    /// Builds the scorer from the breadth-first layout (<paramref name="nodes"/>, one root per tree), or returns
    /// null when a tree has more than 32 leaves. <paramref name="nanSidePerNode"/>: NaN goes right where a node's
    /// Extra is 1; otherwise <paramref name="nanGoesRight"/> says where NaN goes at every node.
    /// </summary>
    public static BitvectorScorer? TryBuild(
        ReadOnlySpan<CompiledTreeEnsemble.FlatNode> nodes, ReadOnlySpan<int> roots, int featureCount, bool nanGoesRight, bool nanSidePerNode)
    {
        var groups = (roots.Length + GroupTrees - 1) / GroupTrees;
        var byFeature = new List<SortedNode>[groups * featureCount];
        for (var i = 0; i < byFeature.Length; i++)
        {
            byFeature[i] = [];
        }

        var initial = new uint[roots.Length];
        var leafIds = new int[roots.Length][];
        for (var t = 0; t < roots.Length; t++)
        {
            var leaves = new List<int>();
            if (!Number(nodes, roots[t], t, leaves, byFeature.AsSpan((t / GroupTrees) * featureCount, featureCount), out _))
            {
                return null;
            }

            leafIds[t] = leaves.ToArray();
            initial[t] = leaves.Count == MaxLeaves ? uint.MaxValue : (1u << leaves.Count) - 1;
        }

        var starts = new int[byFeature.Length + 1];
        var sorted = new List<SortedNode>();
        for (var i = 0; i < byFeature.Length; i++)
        {
            starts[i] = sorted.Count;
            sorted.AddRange(byFeature[i].OrderBy(n => n.Threshold));
        }

        starts[byFeature.Length] = sorted.Count;
        return new BitvectorScorer(sorted.ToArray(), starts, featureCount, initial, leafIds, nanGoesRight || nanSidePerNode, nanSidePerNode);
    }

    /// <summary>
    /// Numbers the leaves under <paramref name="slot"/> left to right into <paramref name="leaves"/> (their leaf ids) and
    /// files each branch with the mask of its left subtree cleared; false when the tree has more than 32 leaves.
    /// </summary>
    private static bool Number(
        ReadOnlySpan<CompiledTreeEnsemble.FlatNode> nodes, int slot, int tree, List<int> leaves, Span<List<SortedNode>> byFeature, out uint subtree)
    {
        var node = nodes[slot];
        if (node.Extra < 0)
        {
            subtree = leaves.Count < MaxLeaves ? 1u << leaves.Count : 0;
            leaves.Add(~node.Extra);
            return leaves.Count <= MaxLeaves;
        }

        if (!Number(nodes, node.Left, tree, leaves, byFeature, out var left) || !Number(nodes, node.Left + 1, tree, leaves, byFeature, out var right))
        {
            subtree = 0;
            return false;
        }

        byFeature[node.Feature].Add(new SortedNode(node.Threshold, tree * Lanes, left, node.Extra == 1 ? uint.MaxValue : 0));
        subtree = left | right;
        return true;
    }

    /// <summary>
    /// Finds each tree's leaf for the <paramref name="count"/> (≤ <see cref="Lanes"/>) rows of <paramref name="block"/>:
    /// <paramref name="leaves"/>[tree * Lanes + lane] receives the leaf id.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a vector kernel: optimised from its first call (tier-0 vector code is many times slower)
    public void FindLeaves(ReadOnlySpan<float> block, int count, int stride, Span<int> leaves)
    {
        var words = ArrayPool<uint>.Shared.Rent(_initial.Length * Lanes);
        try
        {
            ComputeWords(block, count, stride, words);
            for (var t = 0; t < _initial.Length; t++)
            {
                var ids = _leafIds[t];
                for (var lane = 0; lane < count; lane++)
                {
                    leaves[t * Lanes + lane] = ids[BitOperations.TrailingZeroCount(words[t * Lanes + lane])];
                }
            }
        }
        finally
        {
            ArrayPool<uint>.Shared.Return(words);
        }
    }

    /// <summary>
    /// Adds, tree after tree, each row's leaf value to its score: <paramref name="values"/>[tree * 32 + leaf number]
    /// holds every leaf's value. Eight rows at a time: the lowest set bit of a word is isolated, its index read off the
    /// exponent of its float conversion, and the values gathered, so the sums are made in tree order as one by one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a vector kernel: optimised from its first call (tier-0 vector code is many times slower)
    public unsafe void AddLeafValues(ReadOnlySpan<float> block, int count, int stride, float[] values, Span<float> scores)
    {
        var words = ArrayPool<uint>.Shared.Rent(_initial.Length * Lanes);
        try
        {
            ComputeWords(block, count, stride, words);
            ref var word = ref MemoryMarshal.GetArrayDataReference(words);
            Span<float> sums = stackalloc float[Lanes];
            scores[..count].CopyTo(sums);
            var sum0 = Vector256.Create<float>(sums[..Half]);
            var sum1 = Vector256.Create<float>(sums[Half..]);
            fixed (float* table = values)
            {
                for (var t = 0; t < _initial.Length; t++)
                {
                    var treeValues = table + (t * MaxLeaves);
                    sum0 += Gather(treeValues, LowestBitIndex(Vector256.LoadUnsafe(ref word, (nuint)(t * Lanes))));
                    sum1 += Gather(treeValues, LowestBitIndex(Vector256.LoadUnsafe(ref word, (nuint)(t * Lanes + Half))));
                }
            }

            sum0.CopyTo(sums);
            sum1.CopyTo(sums[Half..]);
            sums[..count].CopyTo(scores);
        }
        finally
        {
            ArrayPool<uint>.Shared.Return(words);
        }
    }

    /// <summary>
    /// As <see cref="AddLeafValues(ReadOnlySpan{float}, int, int, float[], Span{float})"/>, in double: leaf values and
    /// sums are doubles (ML.NET's and LightGBM's precision), gathered four rows at a time, each row's sum in tree order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a vector kernel: optimised from its first call (tier-0 vector code is many times slower)
    public unsafe void AddLeafValues(ReadOnlySpan<float> block, int count, int stride, double[] values, Span<double> sums)
    {
        const int quarter = Lanes / 4;
        var words = ArrayPool<uint>.Shared.Rent(_initial.Length * Lanes);
        try
        {
            ComputeWords(block, count, stride, words);
            ref var word = ref MemoryMarshal.GetArrayDataReference(words);
            Span<double> row = stackalloc double[Lanes];
            sums[..count].CopyTo(row);
            var sum0 = Vector256.Create<double>(row[..quarter]);
            var sum1 = Vector256.Create<double>(row[quarter..(2 * quarter)]);
            var sum2 = Vector256.Create<double>(row[(2 * quarter)..(3 * quarter)]);
            var sum3 = Vector256.Create<double>(row[(3 * quarter)..]);
            fixed (double* table = values)
            {
                for (var t = 0; t < _initial.Length; t++)
                {
                    var treeValues = table + (t * MaxLeaves);
                    var low = LowestBitIndex(Vector256.LoadUnsafe(ref word, (nuint)(t * Lanes)));
                    var high = LowestBitIndex(Vector256.LoadUnsafe(ref word, (nuint)(t * Lanes + Half)));
                    sum0 += Gather(treeValues, low.GetLower());
                    sum1 += Gather(treeValues, low.GetUpper());
                    sum2 += Gather(treeValues, high.GetLower());
                    sum3 += Gather(treeValues, high.GetUpper());
                }
            }

            sum0.CopyTo(row);
            sum1.CopyTo(row[quarter..]);
            sum2.CopyTo(row[(2 * quarter)..]);
            sum3.CopyTo(row[(3 * quarter)..]);
            row[..count].CopyTo(sums);
        }
        finally
        {
            ArrayPool<uint>.Shared.Return(words);
        }
    }

    private static Vector256<int> LowestBitIndex(Vector256<uint> words)
    {
        var lowest = Vector256.AsInt32(words & (Vector256<uint>.Zero - words));
        var exponent = Vector256.ShiftRightLogical(Vector256.AsInt32(Vector256.ConvertToSingle(lowest)), 23) & Vector256.Create(0xFF);
        return exponent - Vector256.Create(127);
    }

    private static unsafe Vector256<double> Gather(double* values, Vector128<int> indexes)
    {
        if (Avx2.IsSupported)
        {
            return Avx2.GatherVector256(values, indexes, 8);
        }

        return Vector256.Create(values[indexes[0]], values[indexes[1]], values[indexes[2]], values[indexes[3]]);
    }

    private static unsafe Vector256<float> Gather(float* values, Vector256<int> indexes)
    {
        if (Avx2.IsSupported)
        {
            return Avx2.GatherVector256(values, indexes, 4);
        }

        Span<float> gathered = stackalloc float[Half];
        for (var i = 0; i < Half; i++)
        {
            gathered[i] = values[indexes[i]];
        }

        return Vector256.Create<float>(gathered);
    }

    /// <summary>Runs the rows of the block through every sorted node, leaving each tree's 16 words in <paramref name="words"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a vector kernel: optimised from its first call (tier-0 vector code is many times slower)
    private void ComputeWords(ReadOnlySpan<float> block, int count, int stride, uint[] words)
    {
        var trees = _initial.Length;
        {
            ref var word = ref MemoryMarshal.GetArrayDataReference(words);
            for (var t = 0; t < trees; t++)
            {
                var all = Vector256.Create(_initial[t]);
                all.StoreUnsafe(ref word, (nuint)(t * Lanes));
                all.StoreUnsafe(ref word, (nuint)(t * Lanes + Half));
            }

            // The block's columns, feature by feature, with each feature's largest value and whether any row is NaN there.
            var features = _featureCount;
            Span<float> columns = features * Lanes <= 4096 ? stackalloc float[features * Lanes] : new float[features * Lanes];
            Span<float> maxima = features <= 256 ? stackalloc float[features] : new float[features];
            Span<bool> withNaN = features <= 256 ? stackalloc bool[features] : new bool[features];
            for (var f = 0; f < features; f++)
            {
                var max = float.NegativeInfinity;
                var anyNaN = false;
                for (var lane = 0; lane < Lanes; lane++)
                {
                    // Unused lanes repeat the last row, so they change nothing that row does not.
                    var value = block[Math.Min(lane, count - 1) * stride + f];
                    columns[f * Lanes + lane] = value;
                    anyNaN |= float.IsNaN(value);
                    max = value > max ? value : max;
                }

                maxima[f] = max;
                withNaN[f] = anyNaN && _nanMayGoRight;
            }

            ref var nodes = ref MemoryMarshal.GetArrayDataReference(_nodes);
            for (var group = 0; group < _featureStarts.Length - 1; group += features)
            {
                for (var f = 0; f < features; f++)
                {
                    var column = columns.Slice(f * Lanes, Lanes);
                    var x0 = Vector256.Create<float>(column[..Half]);
                    var x1 = Vector256.Create<float>(column[Half..]);

                    // Sorted by threshold: no row goes right at or after the first threshold ≥ the block's largest value
                    // (unless NaN goes right and a row has NaN here).
                    var stopAtMax = !withNaN[f];
                    var start = _featureStarts[group + f];
                    var end = stopAtMax ? FirstAtLeast(start, _featureStarts[group + f + 1], maxima[f]) : _featureStarts[group + f + 1];
                    var nan0 = stopAtMax ? Vector256<uint>.Zero : Vector256.AsUInt32(~Vector256.Equals(x0, x0));
                    var nan1 = stopAtMax ? Vector256<uint>.Zero : Vector256.AsUInt32(~Vector256.Equals(x1, x1));
                    if (stopAtMax)
                    {
                        for (var i = start; i < end; i++)
                        {
                            ref var node = ref Unsafe.Add(ref nodes, i);
                            var threshold = Vector256.Create(node.Threshold);
                            var left = Vector256.Create(node.LeftLeaves);
                            ref var target = ref Unsafe.Add(ref word, node.Word);
                            Vector256.AndNot(Vector256.LoadUnsafe(ref target), Vector256.AsUInt32(Vector256.GreaterThan(x0, threshold)) & left).StoreUnsafe(ref target);
                            Vector256.AndNot(Vector256.LoadUnsafe(ref target, Half), Vector256.AsUInt32(Vector256.GreaterThan(x1, threshold)) & left).StoreUnsafe(ref target, Half);
                        }

                        continue;
                    }

                    for (var i = start; i < end; i++)
                    {
                        ref var node = ref Unsafe.Add(ref nodes, i);
                        var threshold = Vector256.Create(node.Threshold);
                        var left = Vector256.Create(node.LeftLeaves);
                        var side = Vector256.Create(_nanSidePerNode ? node.NaNRight : uint.MaxValue);
                        var right0 = Vector256.AsUInt32(Vector256.GreaterThan(x0, threshold)) | (nan0 & side);
                        var right1 = Vector256.AsUInt32(Vector256.GreaterThan(x1, threshold)) | (nan1 & side);
                        ref var target = ref Unsafe.Add(ref word, node.Word);
                        Vector256.AndNot(Vector256.LoadUnsafe(ref target), right0 & left).StoreUnsafe(ref target);
                        Vector256.AndNot(Vector256.LoadUnsafe(ref target, Half), right1 & left).StoreUnsafe(ref target, Half);
                    }
                }
            }

        }
    }

    /// <summary>The first index in [<paramref name="start"/>, <paramref name="end"/>) whose threshold is ≥ <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // called from the vector kernel: optimised from its first call
    private int FirstAtLeast(int start, int end, float value)
    {
        var thresholds = _thresholds;
        while (start < end)
        {
            var middle = (start + end) >>> 1;
            if (thresholds[middle] < value)
            {
                start = middle + 1;
            }
            else
            {
                end = middle;
            }
        }

        return start;
    }

    /// <summary>A branch filed under its feature: threshold, where its tree's words start, the bits of its left subtree's leaves, and all ones when NaN goes right.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct SortedNode(float Threshold, int Word, uint LeftLeaves, uint NaNRight);
}
