using System.Globalization;
using System.Text.Json;

namespace Kiln.Inference.Trees.XGBoost;

/// <summary>An XGBoost model read from its JSON format: the trees, the objective, the base margin and the feature names if saved.</summary>
internal sealed record XGBoostModel(
    TreeEnsembleDefinition Trees, XGBoostObjective Objective, float BaseMargin, int FeatureCount, IReadOnlyList<string>? FeatureNames)
{
    /// <summary>The XGBoost version that saved the model (<c>1.7.4</c>), when the file says.</summary>
    public string? Version { get; init; }
}

/// <summary>
/// Reads XGBoost's JSON model format (<c>Booster.save_model("model.json")</c>, XGBoost 1.x and 2.x) into a
/// <see cref="TreeEnsembleDefinition"/>. A node goes left when the feature is below its split condition, a missing
/// value follows <c>default_left</c>; a leaf's value is its split condition; each tree adds to the class its
/// <c>tree_info</c> names. Categorical splits, multi-target trees and linear boosters are not covered.
/// </summary>
internal static class XGBoostModelReader
{
    public static XGBoostModel Read(Stream json)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 });
        try
        {
            return Read(document.RootElement);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new TreeEngineNotCoveredException($"the file is not an XGBoost JSON model Kiln can read ({e.Message})");
        }
    }

    private static XGBoostModel Read(JsonElement root)
    {
        var learner = root.GetProperty("learner");
        var parameters = learner.GetProperty("learner_model_param");
        var numClass = Int(parameters, "num_class");
        if (parameters.TryGetProperty("num_target", out _) && Int(parameters, "num_target") > 1)
        {
            throw new TreeEngineNotCoveredException("multi-target XGBoost models are not covered");
        }

        var objective = XGBoostObjective.From(learner.GetProperty("objective").GetProperty("name").GetString()!, numClass);
        var booster = learner.GetProperty("gradient_booster");
        var boosterName = booster.GetProperty("name").GetString();
        if (boosterName == "dart")
        {
            throw new TreeEngineNotCoveredException("DART boosters (weighted trees) are not covered yet");
        }

        if (boosterName != "gbtree")
        {
            throw new TreeEngineNotCoveredException($"the '{boosterName}' booster is not a tree ensemble");
        }

        var model = booster.GetProperty("model");
        var treeInfo = model.GetProperty("tree_info").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var targets = objective.Output == XGBoostOutput.Softmax ? objective.Classes : 1;
        var trees = model.GetProperty("trees").EnumerateArray().Select((tree, t) => ReadTree(tree, t, t < treeInfo.Length ? treeInfo[t] : 0, targets)).ToArray();
        var featureCount = Int(parameters, "num_feature");
        var names = learner.TryGetProperty("feature_names", out var featureNames) && featureNames.GetArrayLength() == featureCount
            ? featureNames.EnumerateArray().Select(n => n.GetString()!).ToArray()
            : null;
        var baseScore = float.Parse(parameters.GetProperty("base_score").GetString()!, CultureInfo.InvariantCulture);
        var version = root.TryGetProperty("version", out var parts) && parts.ValueKind == JsonValueKind.Array
            ? string.Join('.', parts.EnumerateArray().Select(p => p.GetRawText()))
            : null;
        return new XGBoostModel(new TreeEnsembleDefinition(trees, targets, TreeAggregation.Sum), objective, objective.BaseMargin(baseScore), featureCount, names)
        {
            Version = version,
        };
    }

    private static DecisionTree ReadTree(JsonElement tree, int index, int target, int targets)
    {
        if (target < 0 || target >= targets)
        {
            throw new TreeEngineNotCoveredException($"tree {index} adds to class {target} of {targets}");
        }

        var left = Ints(tree, "left_children");
        var right = Ints(tree, "right_children");
        var features = Ints(tree, "split_indices");
        var defaultLeft = Ints(tree, "default_left");
        var conditions = tree.GetProperty("split_conditions").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        var types = tree.TryGetProperty("split_type", out var splitTypes) ? splitTypes.EnumerateArray().Select(e => e.GetInt32()).ToArray() : new int[left.Length];
        var nodes = new TreeNode[left.Length];
        for (var i = 0; i < nodes.Length; i++)
        {
            if (left[i] == -1)
            {
                nodes[i] = new TreeNode(TreeNodeMode.Leaf, 0, 0f, -1, -1, false, [new TargetWeight(target, conditions[i])]);
                continue;
            }

            if (types[i] != 0)
            {
                throw new TreeEngineNotCoveredException($"tree {index} has a categorical split");
            }

            nodes[i] = new TreeNode(TreeNodeMode.BranchLt, features[i], conditions[i], left[i], right[i], defaultLeft[i] == 1, []);
        }

        return new DecisionTree(nodes);
    }

    private static int[] Ints(JsonElement tree, string name) => tree.GetProperty(name).EnumerateArray().Select(e => e.GetInt32()).ToArray();

    private static int Int(JsonElement parameters, string name) =>
        int.Parse(parameters.GetProperty(name).GetString()!, NumberStyles.Integer, CultureInfo.InvariantCulture);
}
