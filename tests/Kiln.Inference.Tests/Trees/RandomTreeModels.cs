using Google.Protobuf;
using Kiln.Inference.Onnx.Proto;

namespace Kiln.Inference.Tests.Trees;

/// <summary>What kind of tree ensemble <see cref="RandomTreeModels"/> writes.</summary>
public sealed record TreeModelSpec
{
    public bool Classifier { get; init; } = true;
    public int Classes { get; init; } = 2;
    /// <summary>Binary classifiers: all weights in one class column (as scikit-learn's gradient boosting writes them).</summary>
    public bool SingleColumn { get; init; }
    /// <summary>Each tree scores one target (gradient boosting) rather than every target (random forests).</summary>
    public bool TreePerTarget { get; init; }
    public bool PositiveWeights { get; init; }
    public bool StringLabels { get; init; }
    public bool ZipMap { get; init; }
    public int Targets { get; init; } = 1;
    public string Aggregate { get; init; } = "SUM";
    public string PostTransform { get; init; } = "NONE";
    public int BaseValues { get; init; }
    public string[] Modes { get; init; } = ["BRANCH_LEQ"];
    public bool MissingTracks { get; init; }
    public int Trees { get; init; } = 10;
    public int MaxDepth { get; init; } = 5;
    public int Features { get; init; } = 6;
    /// <summary>A regressor written as ai.onnx.ml opset 5's <c>TreeEnsemble</c> (one weight per leaf, so trees score one target each).</summary>
    public bool Opset5 { get; init; }
    /// <summary>Opset 1–3: split values and weights as float <c>*_as_tensor</c> attributes instead of float lists.</summary>
    public bool AsTensors { get; init; }
}

/// <summary>
/// Writes random tree-ensemble ONNX models (TreeEnsembleClassifier / TreeEnsembleRegressor, optional ZipMap)
/// and inputs for them: thresholds and inputs share a grid of values so that ties, NaN and infinities all occur.
/// </summary>
internal static class RandomTreeModels
{
    public const string Input = "float_input";
    public static readonly float[] Grid = [-2f, -1f, -0.5f, 0f, 0.25f, 0.5f, 1f, 2f, 3.5f];

    public static byte[] Build(TreeModelSpec spec, Random random)
    {
        var nodeAttrs = new NodeLists();
        var weights = new WeightLists();
        var targets = spec.Classifier ? (spec.SingleColumn ? 1 : spec.Classes) : spec.Targets;
        for (var t = 0; t < spec.Trees; t++)
        {
            AddTree(spec, random, t, t % targets, nodeAttrs, weights);
        }

        var node = new NodeProto
        {
            OpType = spec.Classifier ? "TreeEnsembleClassifier" : "TreeEnsembleRegressor",
            Domain = "ai.onnx.ml",
            Name = "trees",
        };
        node.Input.Add(Input);
        node.Attribute.Add(Ints("nodes_treeids", nodeAttrs.TreeIds));
        node.Attribute.Add(Ints("nodes_nodeids", nodeAttrs.NodeIds));
        node.Attribute.Add(Ints("nodes_featureids", nodeAttrs.Features));
        node.Attribute.Add(Floats("nodes_values", nodeAttrs.Values));
        node.Attribute.Add(Strings("nodes_modes", nodeAttrs.Modes));
        node.Attribute.Add(Ints("nodes_truenodeids", nodeAttrs.TrueIds));
        node.Attribute.Add(Ints("nodes_falsenodeids", nodeAttrs.FalseIds));
        if (spec.MissingTracks)
        {
            node.Attribute.Add(Ints("nodes_missing_value_tracks_true", nodeAttrs.Missing));
        }

        var prefix = spec.Classifier ? "class" : "target";
        node.Attribute.Add(Ints($"{prefix}_treeids", weights.TreeIds));
        node.Attribute.Add(Ints($"{prefix}_nodeids", weights.NodeIds));
        node.Attribute.Add(Ints($"{prefix}_ids", weights.Targets));
        node.Attribute.Add(Floats($"{prefix}_weights", weights.Values));
        node.Attribute.Add(String("post_transform", spec.PostTransform));
        if (spec.BaseValues > 0)
        {
            node.Attribute.Add(Floats("base_values", Enumerable.Range(0, spec.BaseValues).Select(_ => Pick(random) / 2f)));
        }

        var graph = new GraphProto { Name = "random_trees" };
        graph.Input.Add(TensorValue(Input, TensorProto.Types.DataType.Float, "N", spec.Features));
        if (spec.Classifier)
        {
            if (spec.StringLabels)
            {
                node.Attribute.Add(Strings("classlabels_strings", Enumerable.Range(0, spec.Classes).Select(c => $"class_{(char)('z' - c)}")));
            }
            else
            {
                node.Attribute.Add(Ints("classlabels_int64s", Enumerable.Range(0, spec.Classes).Select(c => (long)(c * 3 + 2) % 7 + c)));
            }

            node.Output.Add("label");
            node.Output.Add("probabilities");
            graph.Output.Add(TensorValue("label", spec.StringLabels ? TensorProto.Types.DataType.String : TensorProto.Types.DataType.Int64, "N", null));
            graph.Node.Add(node);
            if (spec.ZipMap)
            {
                var zip = new NodeProto { OpType = "ZipMap", Domain = "ai.onnx.ml", Name = "zipmap" };
                zip.Input.Add("probabilities");
                zip.Output.Add("output_probability");
                zip.Attribute.Add(node.Attribute.First(a => a.Name.StartsWith("classlabels_", StringComparison.Ordinal)).Clone());
                graph.Node.Add(zip);
                graph.Output.Add(MapSequence("output_probability", spec.StringLabels));
            }
            else
            {
                graph.Output.Add(TensorValue("probabilities", TensorProto.Types.DataType.Float, "N", spec.Classes));
            }
        }
        else
        {
            node.Attribute.Add(Int("n_targets", spec.Targets));
            node.Attribute.Add(String("aggregate_function", spec.Aggregate));
            node.Output.Add("variable");
            graph.Node.Add(node);
            graph.Output.Add(TensorValue("variable", TensorProto.Types.DataType.Float, "N", spec.Targets));
        }

        if (spec.Opset5)
        {
            graph.Node.Clear();
            graph.Node.Add(TreeEnsembleV5(spec, nodeAttrs, weights));
        }
        else if (spec.AsTensors)
        {
            foreach (var name in new[] { "nodes_values", $"{prefix}_weights", "base_values" })
            {
                if (node.Attribute.FirstOrDefault(a => a.Name == name) is { } list)
                {
                    node.Attribute.Remove(list);
                    node.Attribute.Add(Tensor(name + "_as_tensor", TensorProto.Types.DataType.Float, list.Floats.SelectMany(BitConverter.GetBytes).ToArray(), list.Floats.Count));
                }
            }
        }

        var model = new ModelProto { IrVersion = 8, ProducerName = "kiln-tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 15 });
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "ai.onnx.ml", Version = spec.Opset5 ? 5 : 3 });
        return model.ToByteArray();
    }

    /// <summary>
    /// The same trees as opset 5's <c>TreeEnsemble</c>: branches numbered across the ensemble (each tree's root at its
    /// <c>tree_roots</c> entry), leaves in a list of their own, and a flag on each child saying which list it is in.
    /// </summary>
    private static NodeProto TreeEnsembleV5(TreeModelSpec spec, NodeLists nodes, WeightLists weights)
    {
        string[] modeNames = ["BRANCH_LEQ", "BRANCH_LT", "BRANCH_GTE", "BRANCH_GT", "BRANCH_EQ", "BRANCH_NEQ"];
        var branchIndex = new Dictionary<(long Tree, long Node), int>();
        var leafIndex = new Dictionary<(long Tree, long Node), int>();
        for (var i = 0; i < nodes.TreeIds.Count; i++)
        {
            var key = (nodes.TreeIds[i], nodes.NodeIds[i]);
            if (nodes.Modes[i] == "LEAF")
            {
                leafIndex[key] = leafIndex.Count;
            }
            else
            {
                branchIndex[key] = branchIndex.Count;
            }
        }

        var leafTargets = new long[leafIndex.Count];
        var leafWeights = new float[leafIndex.Count];
        for (var w = 0; w < weights.TreeIds.Count; w++)
        {
            var leaf = leafIndex[(weights.TreeIds[w], weights.NodeIds[w])];
            leafTargets[leaf] = weights.Targets[w];
            leafWeights[leaf] = weights.Values[w];
        }

        List<long> features = [], trueIds = [], trueLeafs = [], falseIds = [], falseLeafs = [], missing = [], roots = [];
        List<float> splits = [];
        List<byte> modes = [];
        long previousTree = -1;
        for (var i = 0; i < nodes.TreeIds.Count; i++)
        {
            var tree = nodes.TreeIds[i];
            if (nodes.Modes[i] == "LEAF")
            {
                continue;
            }

            if (tree != previousTree)
            {
                roots.Add(branchIndex[(tree, nodes.NodeIds[i])]);
                previousTree = tree;
            }

            features.Add(nodes.Features[i]);
            splits.Add(nodes.Values[i]);
            modes.Add((byte)Array.IndexOf(modeNames, nodes.Modes[i]));
            missing.Add(spec.MissingTracks ? nodes.Missing[i] : 0);
            (var trueId, var trueLeaf) = Child(tree, nodes.TrueIds[i]);
            (var falseId, var falseLeaf) = Child(tree, nodes.FalseIds[i]);
            trueIds.Add(trueId);
            trueLeafs.Add(trueLeaf);
            falseIds.Add(falseId);
            falseLeafs.Add(falseLeaf);
        }

        var node = new NodeProto { OpType = "TreeEnsemble", Domain = "ai.onnx.ml", Name = "trees" };
        node.Input.Add(Input);
        node.Output.Add("variable");
        node.Attribute.Add(Ints("nodes_featureids", features));
        node.Attribute.Add(Tensor("nodes_splits", TensorProto.Types.DataType.Float, splits.SelectMany(BitConverter.GetBytes).ToArray(), splits.Count));
        node.Attribute.Add(Tensor("nodes_modes", TensorProto.Types.DataType.Uint8, modes.ToArray(), modes.Count));
        node.Attribute.Add(Ints("nodes_truenodeids", trueIds));
        node.Attribute.Add(Ints("nodes_trueleafs", trueLeafs));
        node.Attribute.Add(Ints("nodes_falsenodeids", falseIds));
        node.Attribute.Add(Ints("nodes_falseleafs", falseLeafs));
        node.Attribute.Add(Ints("nodes_missing_value_tracks_true", missing));
        node.Attribute.Add(Ints("tree_roots", roots));
        node.Attribute.Add(Ints("leaf_targetids", leafTargets));
        node.Attribute.Add(Tensor("leaf_weights", TensorProto.Types.DataType.Float, leafWeights.SelectMany(BitConverter.GetBytes).ToArray(), leafWeights.Length));
        node.Attribute.Add(Int("n_targets", spec.Targets));
        node.Attribute.Add(Int("aggregate_function", Array.IndexOf(["AVERAGE", "SUM", "MIN", "MAX"], spec.Aggregate)));
        // The ONNX specification's numbering (1 SOFTMAX, 2 LOGISTIC), as a converter writes it; ONNX Runtime reads 1 and 2 the other way round.
        node.Attribute.Add(Int("post_transform", Array.IndexOf(["NONE", "SOFTMAX", "LOGISTIC", "SOFTMAX_ZERO"], spec.PostTransform)));
        return node;

        (long Id, long IsLeaf) Child(long tree, long nodeId) =>
            leafIndex.TryGetValue((tree, nodeId), out var leaf) ? (leaf, 1) : (branchIndex[(tree, nodeId)], 0);
    }

    private static AttributeProto Tensor(string name, TensorProto.Types.DataType type, byte[] raw, int count)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
        tensor.Dims.Add(count);
        return new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = tensor };
    }

    /// <summary>Rows of inputs drawn from the threshold grid, random floats, NaN and infinities.</summary>
    public static float[] Inputs(Random random, int rows, int features, bool withMissing)
    {
        var data = new float[rows * features];
        for (var i = 0; i < data.Length; i++)
        {
            var roll = random.NextDouble();
            data[i] = roll switch
            {
                < 0.5 => Grid[random.Next(Grid.Length)],
                < 0.9 => (float)(random.NextDouble() * 7 - 3),
                < 0.94 => float.PositiveInfinity,
                < 0.97 => float.NegativeInfinity,
                _ => withMissing ? float.NaN : 0.1f,
            };
        }

        return data;
    }

    private static void AddTree(TreeModelSpec spec, Random random, int treeId, int treeTarget, NodeLists nodes, WeightLists weights)
    {
        // Build the shape first, then list the root first and the rest in random order under random ids.
        var shape = new List<(bool Leaf, int True, int False)>();
        Grow(shape, random, 0, spec.MaxDepth);
        var ids = Enumerable.Range(0, shape.Count).Select(i => (long)i).OrderBy(_ => random.Next()).ToArray();
        var order = new[] { 0 }.Concat(Enumerable.Range(1, shape.Count - 1).OrderBy(_ => random.Next())).ToArray();
        var targets = spec.Classifier ? (spec.SingleColumn ? 1 : spec.Classes) : spec.Targets;
        foreach (var i in order)
        {
            var (leaf, trueChild, falseChild) = shape[i];
            nodes.TreeIds.Add(treeId);
            nodes.NodeIds.Add(ids[i]);
            if (leaf)
            {
                nodes.Features.Add(0);
                nodes.Values.Add(0f);
                nodes.Modes.Add("LEAF");
                nodes.TrueIds.Add(0);
                nodes.FalseIds.Add(0);
                nodes.Missing.Add(0);
                var scored = spec.TreePerTarget ? [treeTarget] : Enumerable.Range(0, targets).ToArray();
                foreach (var target in scored)
                {
                    weights.TreeIds.Add(treeId);
                    weights.NodeIds.Add(ids[i]);
                    weights.Targets.Add(spec.Classifier && spec.SingleColumn && spec.Classes == 2 ? 0 : target);
                    var value = (float)Math.Round(random.NextDouble() * 2 - (spec.PositiveWeights ? 0 : 1), 4);
                    weights.Values.Add(spec.PositiveWeights ? Math.Abs(value) / spec.Trees : value);
                }

                continue;
            }

            nodes.Features.Add(random.Next(spec.Features));
            nodes.Values.Add(Pick(random));
            nodes.Modes.Add(spec.Modes[random.Next(spec.Modes.Length)]);
            nodes.TrueIds.Add(ids[trueChild]);
            nodes.FalseIds.Add(ids[falseChild]);
            nodes.Missing.Add(random.Next(2));
        }
    }

    private static int Grow(List<(bool Leaf, int True, int False)> shape, Random random, int depth, int maxDepth)
    {
        var index = shape.Count;
        shape.Add(default);
        if (depth >= maxDepth || (depth > 0 && random.NextDouble() < 0.25))
        {
            shape[index] = (true, 0, 0);
            return index;
        }

        var left = Grow(shape, random, depth + 1, maxDepth);
        var right = Grow(shape, random, depth + 1, maxDepth);
        shape[index] = (false, left, right);
        return index;
    }

    private static float Pick(Random random) => random.NextDouble() < 0.7 ? Grid[random.Next(Grid.Length)] : (float)Math.Round(random.NextDouble() * 6 - 2.5, 3);

    private static AttributeProto Ints(string name, IEnumerable<long> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    private static AttributeProto Floats(string name, IEnumerable<float> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        a.Floats.AddRange(values);
        return a;
    }

    private static AttributeProto Strings(string name, IEnumerable<string> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        a.Strings.AddRange(values.Select(ByteString.CopyFromUtf8));
        return a;
    }

    private static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    private static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static ValueInfoProto TensorValue(string name, TensorProto.Types.DataType type, string rows, int? columns)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = rows });
        if (columns is { } c)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = c });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    private static ValueInfoProto MapSequence(string name, bool stringKeys) => new()
    {
        Name = name,
        Type = new TypeProto
        {
            SequenceType = new TypeProto.Types.Sequence
            {
                ElemType = new TypeProto
                {
                    MapType = new TypeProto.Types.Map
                    {
                        KeyType = (int)(stringKeys ? TensorProto.Types.DataType.String : TensorProto.Types.DataType.Int64),
                        ValueType = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
                    },
                },
            },
        },
    };

    private sealed class NodeLists
    {
        public List<long> TreeIds { get; } = [];
        public List<long> NodeIds { get; } = [];
        public List<long> Features { get; } = [];
        public List<float> Values { get; } = [];
        public List<string> Modes { get; } = [];
        public List<long> TrueIds { get; } = [];
        public List<long> FalseIds { get; } = [];
        public List<long> Missing { get; } = [];
    }

    private sealed class WeightLists
    {
        public List<long> TreeIds { get; } = [];
        public List<long> NodeIds { get; } = [];
        public List<long> Targets { get; } = [];
        public List<float> Values { get; } = [];
    }
}
