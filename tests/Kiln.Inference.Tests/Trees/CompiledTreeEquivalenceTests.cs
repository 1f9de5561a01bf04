using Kiln.Core.Tensors;
using Kiln.Inference.Onnx;
using Kiln.Inference.Trees;
using Xunit;

namespace Kiln.Inference.Tests.Trees;

/// <summary>
/// The compiled tree engine answers what ONNX Runtime answers: on random models of every covered kind
/// (modes, NaN tracking, aggregations, transforms, base values, label kinds, ZipMap) and random inputs with
/// ties, NaN and infinities, labels are equal and scores agree to 1e-6 relative.
/// </summary>
public sealed class CompiledTreeEquivalenceTests
{
    private static readonly string[] AllModes = ["BRANCH_LEQ", "BRANCH_LT", "BRANCH_GTE", "BRANCH_GT", "BRANCH_EQ", "BRANCH_NEQ"];

    public static TheoryData<string, TreeModelSpec> Specs() => new()
    {
        { "sklearn gradient boosting, binary", new TreeModelSpec { SingleColumn = true, PostTransform = "LOGISTIC", BaseValues = 1, ZipMap = true } },
        { "binary, one column, no base", new TreeModelSpec { SingleColumn = true, PostTransform = "LOGISTIC" } },
        { "binary, one column, positive weights", new TreeModelSpec { SingleColumn = true, PositiveWeights = true } },
        { "binary, one column, two base values", new TreeModelSpec { SingleColumn = true, BaseValues = 2, PostTransform = "LOGISTIC" } },
        { "binary, two columns", new TreeModelSpec { Classes = 2 } },
        { "binary, two columns, softmax, two bases", new TreeModelSpec { Classes = 2, PostTransform = "SOFTMAX", BaseValues = 2 } },
        { "binary, string labels", new TreeModelSpec { SingleColumn = true, PostTransform = "LOGISTIC", StringLabels = true, ZipMap = true } },
        { "random forest, 3 classes", new TreeModelSpec { Classes = 3, PositiveWeights = true, ZipMap = true } },
        { "gradient boosting, 4 classes, softmax", new TreeModelSpec { Classes = 4, TreePerTarget = true, PostTransform = "SOFTMAX", BaseValues = 4, Trees = 12 } },
        { "5 classes, softmax zero, strings", new TreeModelSpec { Classes = 5, PostTransform = "SOFTMAX_ZERO", StringLabels = true, ZipMap = true } },
        { "3 classes, logistic", new TreeModelSpec { Classes = 3, PostTransform = "LOGISTIC", BaseValues = 3 } },
        { "every comparison mode", new TreeModelSpec { Classes = 3, Modes = AllModes, MissingTracks = true } },
        { "LT and GTE with missing tracks", new TreeModelSpec { SingleColumn = true, PostTransform = "LOGISTIC", Modes = ["BRANCH_LT", "BRANCH_GTE"], MissingTracks = true } },
        { "GT only", new TreeModelSpec { Classifier = false, Modes = ["BRANCH_GT"] } },
        { "LEQ with missing tracks", new TreeModelSpec { Classifier = false, MissingTracks = true, Trees = 30 } },
        { "regressor, sum, base", new TreeModelSpec { Classifier = false, BaseValues = 1, Trees = 40, MaxDepth = 8 } },
        { "regressor, average", new TreeModelSpec { Classifier = false, Aggregate = "AVERAGE", BaseValues = 1 } },
        { "regressor, min", new TreeModelSpec { Classifier = false, Aggregate = "MIN" } },
        { "regressor, max", new TreeModelSpec { Classifier = false, Aggregate = "MAX", Modes = AllModes } },
        { "regressor, 3 targets, sum", new TreeModelSpec { Classifier = false, Targets = 3, BaseValues = 3 } },
        { "regressor, 3 targets, average, logistic", new TreeModelSpec { Classifier = false, Targets = 3, Aggregate = "AVERAGE", PostTransform = "LOGISTIC" } },
        { "regressor, 2 targets, min, tree per target", new TreeModelSpec { Classifier = false, Targets = 2, Aggregate = "MIN", TreePerTarget = true } },
        { "regressor, 2 targets, max, softmax", new TreeModelSpec { Classifier = false, Targets = 2, Aggregate = "MAX", PostTransform = "SOFTMAX", BaseValues = 2 } },
        { "deep trees", new TreeModelSpec { Classifier = false, MaxDepth = 14, Trees = 5, Features = 20 } },
        { "many trees, in several groups", new TreeModelSpec { SingleColumn = true, PostTransform = "LOGISTIC", BaseValues = 1, Trees = 300, MaxDepth = 4 } },
        { "many trees, 3 classes", new TreeModelSpec { Classes = 3, TreePerTarget = true, Trees = 290, MaxDepth = 5, MissingTracks = true } },
        { "opset 5 TreeEnsemble, sum", new TreeModelSpec { Classifier = false, Opset5 = true, Trees = 40, MaxDepth = 6, MissingTracks = true } },
        { "opset 5 TreeEnsemble, every mode, 3 targets, softmax", new TreeModelSpec { Classifier = false, Opset5 = true, Targets = 3, TreePerTarget = true, Modes = AllModes, PostTransform = "SOFTMAX", MissingTracks = true } },
        { "opset 5 TreeEnsemble, average, logistic", new TreeModelSpec { Classifier = false, Opset5 = true, Aggregate = "AVERAGE", PostTransform = "LOGISTIC" } },
        { "opset 5 TreeEnsemble, 2 targets, max", new TreeModelSpec { Classifier = false, Opset5 = true, Targets = 2, TreePerTarget = true, Aggregate = "MAX", Modes = ["BRANCH_LT", "BRANCH_GTE"] } },
        { "float as_tensor attributes, classifier", new TreeModelSpec { SingleColumn = true, PostTransform = "LOGISTIC", BaseValues = 1, ZipMap = true, AsTensors = true } },
        { "float as_tensor attributes, regressor", new TreeModelSpec { Classifier = false, Targets = 2, BaseValues = 2, AsTensors = true, MissingTracks = true } },
    };

    [Theory]
    [MemberData(nameof(Specs))]
    public void Scores_EqualOnnxRuntime(string name, TreeModelSpec spec)
    {
        for (var seed = 0; seed < 12; seed++)
        {
            var random = new Random(HashCode.Combine(name.Length, seed, 7919));
            var bytes = RandomTreeModels.Build(spec, random);
            using var reference = ReferenceRuntime(bytes);
            var choice = OnnxTreeEngine.Compile(bytes, reference);
            Assert.True(choice.Runtime is not null, $"{name}, seed {seed}: not compiled: {choice.Reason}");
            var compiled = choice.Runtime!;
            foreach (var rows in new[] { 1, 5, 16, 37 })
            {
                var data = RandomTreeModels.Inputs(random, rows, spec.Features, spec.MissingTracks || seed % 2 == 0);
                var batch = new InferenceBatch([new Tensor(RandomTreeModels.Input, TensorDataType.Fp32, [rows, spec.Features], data, data.Length)], rows);
                var expected = reference.Predict(batch, null);
                var actual = compiled.Predict(batch, null);
                TreeAssert.Equal(expected, actual, $"{name}, seed {seed}, {rows} rows");
            }
        }
    }

    [Fact]
    public void RequestedOutputs_AreReturnedInTheOrderAsked()
    {
        var bytes = RandomTreeModels.Build(new TreeModelSpec { Classes = 3, ZipMap = true }, new Random(3));
        using var reference = ReferenceRuntime(bytes);
        var compiled = OnnxTreeEngine.Compile(bytes, reference).Runtime!;
        var data = RandomTreeModels.Inputs(new Random(4), 4, 6, false);
        var batch = new InferenceBatch([new Tensor(RandomTreeModels.Input, TensorDataType.Fp32, [4, 6], data, data.Length)], 4);

        var result = compiled.Predict(batch, ["output_probability", "label"]);

        Assert.Equal(["output_probability", "label"], result.Outputs.Select(o => o.Name));
        TreeAssert.Equal(reference.Predict(batch, ["output_probability", "label"]), result, "requested outputs");
    }

    [Fact]
    public void ARowWithTooFewFeatures_IsABadInputNamingTheFeature()
    {
        var bytes = RandomTreeModels.Build(new TreeModelSpec { Classifier = false, Features = 6 }, new Random(5));
        using var reference = ReferenceRuntime(bytes);
        var compiled = OnnxTreeEngine.Compile(bytes, reference).Runtime!;
        var batch = new InferenceBatch([new Tensor(RandomTreeModels.Input, TensorDataType.Fp32, [2, 1], new float[2], 2)], 2);

        var error = Assert.Throws<Kiln.Core.KilnException>(() => compiled.Predict(batch, null));

        Assert.Contains("features per row", error.Message, StringComparison.Ordinal);
    }

    internal static OnnxModelRuntime ReferenceRuntime(byte[] bytes)
    {
        var session = OnnxRuntimeFactory.CreateSession(bytes, "model.onnx");
        return new OnnxModelRuntime(session, OnnxSignatureReader.Read(session));
    }
}
