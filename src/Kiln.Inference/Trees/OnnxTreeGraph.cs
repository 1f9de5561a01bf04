using System.Text;
using Kiln.Inference.Onnx.Proto;

namespace Kiln.Inference.Trees;

/// <summary>What a graph output carries: the classifier's labels, the scores matrix, or the scores zipped with class labels.</summary>
internal enum TreeOutputKind : byte
{
    Label,
    Scores,
    ProbabilityMap,
}

/// <summary>
/// One graph output. For <see cref="TreeOutputKind.ProbabilityMap"/>, <see cref="MapLabels"/> are the map's keys in
/// the order ONNX Runtime returns them (its maps are sorted by key) and <see cref="MapColumns"/> the score column of each.
/// </summary>
internal sealed record TreeGraphOutput(string Name, TreeOutputKind Kind, string[]? MapLabels = null, int[]? MapColumns = null);

/// <summary>
/// The shape of ONNX graph the compiled tree engine serves: one float input, optionally passed through
/// <c>Identity</c> or a float-to-float <c>Cast</c>, into one <c>TreeEnsembleClassifier</c>,
/// <c>TreeEnsembleRegressor</c> or (opset 5) <c>TreeEnsemble</c>, whose outputs reach the graph directly, through <c>Identity</c>, or through
/// <c>ZipMap</c> — what skl2onnx, onnxmltools and Kiln's own converters write for tree models. Any other
/// operator is named in the reason the model is served by ONNX Runtime instead.
/// </summary>
internal sealed class OnnxTreeGraph
{
    private const string MlDomain = "ai.onnx.ml";

    private OnnxTreeGraph(NodeProto trees, IReadOnlyList<TreeGraphOutput> outputs)
    {
        Trees = trees;
        Outputs = outputs;
    }

    /// <summary>The tree-ensemble node.</summary>
    public NodeProto Trees { get; }

    /// <summary>The graph's outputs, in graph order.</summary>
    public IReadOnlyList<TreeGraphOutput> Outputs { get; }

    public static OnnxTreeGraph Plan(ModelProto model)
    {
        var graph = model.Graph ?? throw new TreeEngineNotCoveredException("the model has no graph");
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = graph.Input.Where(i => !initializers.Contains(i.Name)).ToArray();
        if (inputs.Length != 1)
        {
            throw new TreeEngineNotCoveredException($"the graph has {inputs.Length} inputs; the engine serves one feature matrix");
        }

        if (inputs[0].Type?.TensorType is not { } tensorType || tensorType.ElemType != (int)TensorProto.Types.DataType.Float)
        {
            throw new TreeEngineNotCoveredException("the graph's input is not a float tensor");
        }

        // What each value in the graph is, by name.
        var values = new Dictionary<string, Value>(StringComparer.Ordinal) { [inputs[0].Name] = new Value(ValueKind.Input) };
        NodeProto? trees = null;
        foreach (var node in graph.Node)
        {
            var op = node.Domain is "" or "ai.onnx" ? node.OpType : $"{node.Domain}.{node.OpType}";
            switch (op)
            {
                case "Identity":
                    values[node.Output[0]] = Source(values, node, 0);
                    break;
                case "Cast" when new OnnxTreeAttributes(node).Int("to", 0) == (int)TensorProto.Types.DataType.Float && Source(values, node, 0).Kind == ValueKind.Input:
                    values[node.Output[0]] = Source(values, node, 0);
                    break;
                case MlDomain + "." + OnnxTreeEnsembleReader.ClassifierOp or MlDomain + "." + OnnxTreeEnsembleReader.RegressorOp or MlDomain + "." + OnnxTreeEnsembleV5Reader.Op:
                    if (trees is not null)
                    {
                        throw new TreeEngineNotCoveredException("the graph has more than one tree ensemble");
                    }

                    if (Source(values, node, 0).Kind != ValueKind.Input)
                    {
                        throw new TreeEngineNotCoveredException("the tree ensemble does not read the graph's input");
                    }

                    trees = node;
                    var classifier = node.OpType == OnnxTreeEnsembleReader.ClassifierOp;
                    Assign(values, node, 0, new Value(classifier ? ValueKind.Label : ValueKind.Scores));
                    if (classifier)
                    {
                        Assign(values, node, 1, new Value(ValueKind.Scores));
                    }

                    break;
                case MlDomain + ".ZipMap":
                    if (Source(values, node, 0).Kind != ValueKind.Scores)
                    {
                        throw new TreeEngineNotCoveredException("ZipMap does not read the tree ensemble's scores");
                    }

                    values[node.Output[0]] = new Value(ValueKind.ProbabilityMap, node);
                    break;
                default:
                    throw new TreeEngineNotCoveredException($"operator {op} is served by ONNX Runtime");
            }
        }

        if (trees is null)
        {
            throw new TreeEngineNotCoveredException("the graph has no tree ensemble");
        }

        var outputs = graph.Output.Select(o => Output(o.Name, values)).ToArray();
        return new OnnxTreeGraph(trees, outputs);
    }

    private static TreeGraphOutput Output(string name, Dictionary<string, Value> values)
    {
        if (!values.TryGetValue(name, out var value) || value.Kind == ValueKind.Input)
        {
            throw new TreeEngineNotCoveredException($"graph output '{name}' is not computed by the tree ensemble");
        }

        if (value.Kind != ValueKind.ProbabilityMap)
        {
            return new TreeGraphOutput(name, value.Kind == ValueKind.Label ? TreeOutputKind.Label : TreeOutputKind.Scores);
        }

        var attributes = new OnnxTreeAttributes(value.ZipMap!);
        var strings = attributes.Strings("classlabels_strings");
        var ints = attributes.Ints("classlabels_int64s");
        var columns = Enumerable.Range(0, strings.Length > 0 ? strings.Length : ints.Length).ToArray();
        string[] labels;
        if (strings.Length > 0)
        {
            // std::map<std::string, float>: byte-wise order of the UTF-8 keys.
            Array.Sort(columns, (x, y) => Encoding.UTF8.GetBytes(strings[x]).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(strings[y])));
            labels = columns.Select(c => strings[c]).ToArray();
        }
        else
        {
            Array.Sort(columns, (x, y) => ints[x].CompareTo(ints[y]));
            labels = columns.Select(c => ints[c].ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        }

        if (labels.Distinct(StringComparer.Ordinal).Count() != labels.Length)
        {
            throw new TreeEngineNotCoveredException("ZipMap lists a class label twice");
        }

        return new TreeGraphOutput(name, TreeOutputKind.ProbabilityMap, labels, columns);
    }

    private static Value Source(Dictionary<string, Value> values, NodeProto node, int input) =>
        node.Input.Count > input && values.TryGetValue(node.Input[input], out var value)
            ? value
            : throw new TreeEngineNotCoveredException($"{node.OpType} reads a value the engine does not compute");

    private static void Assign(Dictionary<string, Value> values, NodeProto node, int output, Value value)
    {
        if (node.Output.Count > output && node.Output[output].Length > 0)
        {
            values[node.Output[output]] = value;
        }
    }

    private enum ValueKind : byte
    {
        Input,
        Label,
        Scores,
        ProbabilityMap,
    }

    private readonly record struct Value(ValueKind Kind, NodeProto? ZipMap = null);
}
