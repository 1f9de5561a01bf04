using System.Globalization;

namespace Kiln.Inference.Trees.LightGbm;

/// <summary>A LightGBM model read from its text format: the trees, the objective, the feature count and names.</summary>
internal sealed record LightGbmModel(TreeEnsembleDefinition Trees, LightGbmObjective Objective, int FeatureCount, IReadOnlyList<string>? FeatureNames, bool AverageOutput)
{
    /// <summary>The model format's version line (<c>v4</c>).</summary>
    public string? Version { get; init; }

    /// <summary>Trees per boosting iteration: one per class for multiclass models, else one.</summary>
    public int TreesPerIteration => Trees.TargetCount;
}

/// <summary>
/// Reads LightGBM's text model format (<c>Booster.save_model("model.txt")</c>, the <c>model.lgb</c> of MLflow's lightgbm
/// flavor) into a <see cref="TreeEnsembleDefinition"/>, with LightGBM's prediction rules: a node goes left when the
/// value, as a double, is at most its double threshold (for a float input: at most the largest float not above it); a
/// missing value (NaN) follows the node's default side when its missing type is NaN, and is read as 0 when it is None;
/// a leaf's value is a double, and tree <c>i</c> adds to class <c>i % num_tree_per_iteration</c>. Categorical splits,
/// zero-as-missing splits and linear trees are not covered.
/// </summary>
internal static class LightGbmModelReader
{
    private const int CategoricalMask = 1;
    private const int DefaultLeftMask = 2;
    private const int MissingNone = 0;
    private const int MissingZero = 1;

    public static LightGbmModel Read(string text)
    {
        var lines = text.Split('\n');
        if (lines.Length == 0 || lines[0].Trim() != "tree")
        {
            throw new TreeEngineNotCoveredException("the file does not start with LightGBM's 'tree' header");
        }

        var at = 1;
        var header = Section(lines, ref at);
        var numClass = Int(header, "num_class");
        var perIteration = header.TryGetValue("num_tree_per_iteration", out _) ? Int(header, "num_tree_per_iteration") : numClass;
        var featureCount = Int(header, "max_feature_idx") + 1;
        var objective = LightGbmObjective.From(header.GetValueOrDefault("objective", "regression"), numClass);
        if (objective.Output == LightGbmOutput.Softmax && perIteration != numClass)
        {
            throw new TreeEngineNotCoveredException($"a multiclass model has {perIteration} trees per iteration for {numClass} classes");
        }

        var trees = new List<DecisionTree>();
        for (; at < lines.Length; at++)
        {
            var line = lines[at].Trim();
            if (line.StartsWith("end of trees", StringComparison.Ordinal))
            {
                break;
            }

            if (!line.StartsWith("Tree=", StringComparison.Ordinal))
            {
                continue;
            }

            at++;
            trees.Add(ReadTree(Section(lines, ref at), trees.Count, trees.Count % perIteration, featureCount));
        }

        if (trees.Count == 0)
        {
            throw new TreeEngineNotCoveredException("the model has no trees");
        }

        var names = header.TryGetValue("feature_names", out var list) ? list.Split(' ', StringSplitOptions.RemoveEmptyEntries) : null;
        return new LightGbmModel(
            new TreeEnsembleDefinition(trees, perIteration, TreeAggregation.Sum), objective, featureCount,
            names?.Length == featureCount ? names : null, header.ContainsKey("average_output"))
        {
            Version = header.GetValueOrDefault("version"),
        };
    }

    /// <summary>The <c>key=value</c> lines from <paramref name="at"/> to the next blank line (a flag alone has an empty value).</summary>
    private static Dictionary<string, string> Section(string[] lines, ref int at)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (; at < lines.Length; at++)
        {
            var line = lines[at].Trim();
            if (line.Length == 0)
            {
                break;
            }

            var equals = line.IndexOf('=');
            if (equals < 0)
            {
                values[line] = string.Empty;
                continue;
            }

            values[line[..equals]] = line[(equals + 1)..];
        }

        return values;
    }

    private static DecisionTree ReadTree(Dictionary<string, string> tree, int index, int target, int featureCount)
    {
        if (tree.TryGetValue("is_linear", out var linear) && linear != "0")
        {
            throw new TreeEngineNotCoveredException($"tree {index} is a linear tree");
        }

        var leafCount = Int(tree, "num_leaves");
        var leafValues = Doubles(tree, "leaf_value", leafCount, index);
        if (leafCount == 1)
        {
            return new DecisionTree([Leaf(target, leafValues[0])]);
        }

        var branches = leafCount - 1;
        var features = Ints(tree, "split_feature", branches, index);
        var thresholds = Doubles(tree, "threshold", branches, index);
        var decisions = Ints(tree, "decision_type", branches, index);
        var left = Ints(tree, "left_child", branches, index);
        var right = Ints(tree, "right_child", branches, index);
        var nodes = new TreeNode[branches + leafCount];
        for (var n = 0; n < branches; n++)
        {
            var decision = decisions[n];
            if ((decision & CategoricalMask) != 0)
            {
                throw new TreeEngineNotCoveredException($"tree {index} has a categorical split");
            }

            var missing = (decision >> 2) & 3;
            if (missing == MissingZero)
            {
                throw new TreeEngineNotCoveredException($"tree {index} treats zero as missing (zero_as_missing=true)");
            }

            if (features[n] < 0 || features[n] >= featureCount)
            {
                throw new TreeEngineNotCoveredException($"tree {index} splits on feature {features[n]} of {featureCount}");
            }

            // Missing type None reads NaN as 0, which goes where 0 goes; type NaN sends it to the default side.
            var threshold = thresholds[n];
            var missingGoesLeft = missing == MissingNone ? 0d <= threshold : (decision & DefaultLeftMask) != 0;
            nodes[n] = new TreeNode(TreeNodeMode.BranchLeq, features[n], LargestFloatAtMost(threshold), Child(left[n]), Child(right[n]), missingGoesLeft, []);
        }

        for (var l = 0; l < leafCount; l++)
        {
            nodes[branches + l] = Leaf(target, leafValues[l]);
        }

        return new DecisionTree(nodes);

        // A negative child is the complement of a leaf's index; leaves follow the branches in the node list.
        int Child(int child) => child >= 0 ? child : branches + ~child;
    }

    /// <summary>The largest float not above <paramref name="threshold"/>: for any float x, x ≤ it exactly when x ≤ the double.</summary>
    internal static float LargestFloatAtMost(double threshold)
    {
        var single = (float)threshold;
        return single > threshold ? MathF.BitDecrement(single) : single;
    }

    private static TreeNode Leaf(int target, double value) => new(TreeNodeMode.Leaf, 0, 0f, -1, -1, false, [new TargetWeight(target, value)]);

    private static int Int(Dictionary<string, string> section, string key) =>
        section.TryGetValue(key, out var value) && int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new TreeEngineNotCoveredException($"the model has no valid '{key}'");

    private static int[] Ints(Dictionary<string, string> tree, string key, int count, int index) =>
        Values(tree, key, count, index, s => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture));

    private static double[] Doubles(Dictionary<string, string> tree, string key, int count, int index) =>
        Values(tree, key, count, index, ParseDouble);

    /// <summary>A number as LightGBM writes it (C++ streams: <c>inf</c>, <c>-inf</c> and <c>nan</c> included).</summary>
    private static double ParseDouble(string text) => text switch
    {
        "inf" or "+inf" or "infinity" => double.PositiveInfinity,
        "-inf" or "-infinity" => double.NegativeInfinity,
        "nan" or "-nan" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static T[] Values<T>(Dictionary<string, string> tree, string key, int count, int index, Func<string, T> parse)
    {
        if (!tree.TryGetValue(key, out var text))
        {
            throw new TreeEngineNotCoveredException($"tree {index} has no '{key}'");
        }

        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != count)
        {
            throw new TreeEngineNotCoveredException($"tree {index} has {parts.Length} values of '{key}' for {count}");
        }

        try
        {
            return parts.Select(parse).ToArray();
        }
        catch (FormatException)
        {
            throw new TreeEngineNotCoveredException($"tree {index} has a value of '{key}' that is not a number");
        }
    }
}
