using Kiln.Core.Tensors;
using Kiln.Inference.Onnx;
using Kiln.Inference.Runtime;
using Kiln.Inference.Tests.Support;
using Kiln.Inference.Trees;
using Xunit;

namespace Kiln.Inference.Tests.Trees;

/// <summary>Which models the compiled engine serves, what a version's metadata says about it, and the way back to ONNX Runtime.</summary>
public sealed class TreeEngineSelectionTests
{
    [Theory]
    [InlineData("gbt_sklearn.onnx")]
    [InlineData("tree_classifier.onnx")]
    public void TreeModels_AreImportedAsCompiled_AndServedByTheEngine(string name)
    {
        using var model = ServedOnnxModel.Import(name);

        Assert.Equal(ModelEngine.CompiledTrees, model.Manifest.Metadata[ModelEngine.Key]);
        Assert.Contains("trees", model.Manifest.Metadata[ModelEngine.DetailKey], StringComparison.Ordinal);
        Assert.IsType<CompiledTreeRuntime>(model.Runtime);
        Assert.IsType<OnnxModelRuntime>(model.Runtime.ReferenceRuntime);
    }

    [Fact]
    public void ANonTreeModel_IsServedByOnnxRuntime_WithTheReasonInItsMetadata()
    {
        using var model = ServedOnnxModel.Import("regressor.onnx");

        Assert.Equal(ModelEngine.OnnxRuntime, model.Manifest.Metadata[ModelEngine.Key]);
        Assert.Contains("served by ONNX Runtime", model.Manifest.Metadata[ModelEngine.DetailKey], StringComparison.Ordinal);
        Assert.IsType<OnnxModelRuntime>(model.Runtime);
        Assert.Same(model.Runtime, model.Runtime.ReferenceRuntime);
    }

    [Fact]
    public void TheFactory_WithoutTreeCompilation_ServesOnnxRuntime()
    {
        using var directory = new TempDirectory().WithModel("gbt_sklearn.onnx");
        var package = Kiln.Inference.Packaging.ModelPackageImporter.Import(directory.Path, new Kiln.Inference.Packaging.ImportOptions());

        using var runtime = new OnnxRuntimeFactory(compileTrees: false).Load(package.Manifest, path => File.OpenRead(Path.Combine(directory.Path, path)));

        Assert.IsType<OnnxModelRuntime>(runtime);
    }

    [Fact]
    public void AModelWithAnUncoveredOption_IsNotCompiled_AndSaysWhy()
    {
        var bytes = RandomTreeModels.Build(new TreeModelSpec { Classifier = false, PostTransform = "PROBIT" }, new Random(1));
        using var reference = CompiledTreeEquivalenceTests.ReferenceRuntime(bytes);

        var choice = OnnxTreeEngine.Compile(bytes, reference);

        Assert.Null(choice.Runtime);
        Assert.Equal("post_transform PROBIT is served by ONNX Runtime", choice.Reason);
    }

    [Fact]
    public void AClassScoredOnSomePathsOnly_IsNotCompiled()
    {
        // Three classes, each leaf scoring one random class: ONNX Runtime's "has a score" flags then vary by row.
        var spec = new TreeModelSpec { Classes = 3, TreePerTarget = true, Trees = 3 };
        var bytes = RandomTreeModels.Build(spec, new Random(2));
        var proto = Kiln.Inference.Onnx.Proto.ModelProto.Parser.ParseFrom(bytes);
        var trees = proto.Graph.Node[0];
        var ids = trees.Attribute.First(a => a.Name == "class_ids");
        for (var i = 0; i < ids.Ints.Count; i++)
        {
            ids.Ints[i] = i % 3;
        }

        var changed = Google.Protobuf.MessageExtensions.ToByteArray(proto);
        using var reference = CompiledTreeEquivalenceTests.ReferenceRuntime(changed);

        var choice = OnnxTreeEngine.Compile(changed, reference);

        Assert.Null(choice.Runtime);
        Assert.Contains("is scored on some paths only", choice.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AnExampleTheRuntimesDisagreeOn_KeepsOnnxRuntime()
    {
        var bytes = RandomTreeModels.Build(new TreeModelSpec { Classifier = false }, new Random(3));
        using var reference = CompiledTreeEquivalenceTests.ReferenceRuntime(bytes);
        var example = new InferenceBatch([new Tensor(RandomTreeModels.Input, TensorDataType.Fp32, [1, 6], new float[6], 6)], 1);
        var disagreeing = new ShiftedRuntime(reference);

        var choice = OnnxTreeEngine.Choose(bytes, disagreeing, example);

        Assert.Null(choice.Runtime);
        Assert.Contains("differ from ONNX Runtime on the input example", choice.Reason, StringComparison.Ordinal);
    }

    /// <summary>A reference whose scores are all 1 higher, so the engine cannot agree with it.</summary>
    private sealed class ShiftedRuntime(Kiln.Inference.Runtime.IModelRuntime inner) : Kiln.Inference.Runtime.IModelRuntime
    {
        public Kiln.Core.Packaging.ModelSignature Signature => inner.Signature;

        public InferenceResult Predict(InferenceBatch batch, IReadOnlyList<string>? outputs)
        {
            var result = inner.Predict(batch, outputs);
            foreach (var output in result.Outputs)
            {
                var data = (float[])output.Data;
                for (var i = 0; i < output.Length; i++)
                {
                    data[i] += 1f;
                }
            }

            return result;
        }

        public void Dispose()
        {
        }
    }
}
