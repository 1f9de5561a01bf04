using System.Text.Json;
using Kiln.Core.Packaging;
using Kiln.Core.Tensors;
using Kiln.Inference.Decoding;
using Kiln.Inference.Packaging;
using Kiln.Inference.Tests.Support;

namespace Kiln.Inference.Tests.Packaging;

public class ModelPackageImporterTests
{
    private static ImportedPackage Import(string model, ImportOptions? options = null)
    {
        using var directory = new TempDirectory().WithModel(model);
        return ModelPackageImporter.Import(directory.Path, options ?? new ImportOptions());
    }

    private static string Describe(TensorSpec spec) => $"{spec.Name} {spec.DataType.ToV2Name()} [{string.Join(",", spec.Shape)}]";

    [Fact]
    public void Import_PlainOnnxClassifier_ReadsTheGraphSignature()
    {
        var manifest = Import("tree_classifier.onnx").Manifest;

        Assert.Equal(ModelFlavors.Onnx, manifest.Flavor);
        Assert.Equal("tree_classifier.onnx", manifest.ModelFile);
        Assert.Equal(["float_input FP32 [-1,4]"], manifest.Signature.Inputs.Select(Describe));
        Assert.Null(manifest.Signature.Inputs[0].Columns);
        Assert.Equal(["output_label", "output_probability"], manifest.Signature.Outputs.Select(o => o.Name));
        var label = manifest.Signature.Outputs[0];
        Assert.Equal("output_label INT64 [-1]", Describe(label));
        Assert.Null(label.Kind);
        var probabilities = manifest.Signature.Outputs[1];
        Assert.Equal(TensorSpec.ProbabilityMapKind, probabilities.Kind);
        Assert.Equal("probability_map", probabilities.Kind);
        Assert.Equal(TensorDataType.Fp32, probabilities.DataType);
    }

    [Fact]
    public void Import_PlainOnnx_RecordsFilesMetadataAndLineage()
    {
        var package = Import("tree_classifier.onnx", new ImportOptions(Source: "upload:tree.onnx", RunId: "run-1"));

        Assert.Equal(["tree_classifier.onnx"], package.Files);
        Assert.Equal("kiln-tools", package.Manifest.Metadata["onnx.producer_name"]);
        Assert.Equal("RandomForestClassifier", package.Manifest.Metadata["onnx.graph_name"]);
        Assert.Equal("upload:tree.onnx", package.Manifest.Source);
        Assert.Equal("run-1", package.Manifest.RunId);
    }

    [Fact]
    public void Import_PlainOnnx_SynthesizesAOneRowExampleOfZeros()
    {
        var example = Import("tree_classifier.onnx").Manifest.InputExample;

        Assert.NotNull(example);
        var input = Assert.Single(example.Value.GetProperty("inputs").EnumerateArray());
        Assert.Equal("float_input", input.GetProperty("name").GetString());
        Assert.Equal("FP32", input.GetProperty("datatype").GetString());
        Assert.Equal([1L, 4L], input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal([0.0, 0.0, 0.0, 0.0], input.GetProperty("data").EnumerateArray().Select(d => d.GetDouble()));
    }

    [Fact]
    public void Import_OneInputPerColumn_ReadsEveryInputAndOutput()
    {
        var manifest = Import("bank_columns.onnx").Manifest;

        Assert.Equal(
            ["age FP32 [-1,1]", "balance FP64 [-1,1]", "campaign INT64 [-1,1]", "job BYTES [-1,1]", "housing BYTES [-1,1]"],
            manifest.Signature.Inputs.Select(Describe));
        Assert.Equal(
            ["label BYTES [-1]", "probabilities FP32 [-1,2]"],
            manifest.Signature.Outputs.Select(Describe));
        Assert.All(manifest.Signature.Outputs, o => Assert.Null(o.Kind));
        var job = manifest.InputExample!.Value.GetProperty("inputs")[3];
        Assert.Equal("BYTES", job.GetProperty("datatype").GetString());
        Assert.Equal([""], job.GetProperty("data").EnumerateArray().Select(d => d.GetString()));
    }

    [Fact]
    public void Import_GraphWithMetadataProps_KeepsThemWithoutNamingColumns()
    {
        var manifest = Import("gbt_sklearn.onnx").Manifest;

        Assert.Equal(string.Join(",", OnnxModelsFixture.GbtFeatureNames), manifest.Metadata["feature_names"]);
        Assert.Null(manifest.Signature.Inputs[0].Columns);
        Assert.Equal([-1L, 7L], manifest.Signature.Inputs[0].Shape);
    }

    [Fact]
    public void Import_FeatureNames_NameTheColumnsOfTheSingleInput()
    {
        var manifest = Import("gbt_sklearn.onnx", new ImportOptions(OnnxModelsFixture.GbtFeatureNames)).Manifest;

        Assert.Equal(OnnxModelsFixture.GbtFeatureNames, manifest.Signature.Inputs[0].Columns);
        Assert.Equal("float_input", manifest.Signature.Inputs[0].Name);
    }

    [Fact]
    public void Import_MlflowColumnSignature_NamesTheColumnsAndKeepsItsInputExample()
    {
        var package = Import("mlflow_colspec");
        var manifest = package.Manifest;

        Assert.Equal("model.onnx", manifest.ModelFile);
        Assert.Equal(["MLmodel", "conda.yaml", "input_example.json", "model.onnx", "python_env.yaml", "requirements.txt"], package.Files);
        var input = Assert.Single(manifest.Signature.Inputs);
        Assert.Equal(("float_input", TensorDataType.Fp32), (input.Name, input.DataType));
        Assert.Equal(OnnxModelsFixture.GbtFeatureNames, input.Columns);
        Assert.Equal("4965f368aaa356f2b0c346a0e0462edc", manifest.RunId);
        Assert.Equal("kiln-tests", manifest.Metadata["team"]);
        Assert.Equal("2.11.3", manifest.Metadata["mlflow_version"]);

        // input_example.json is the first two gbt rows in pandas split form; the manifest keeps them as a v2 request.
        var example = Assert.Single(manifest.InputExample!.Value.GetProperty("inputs").EnumerateArray());
        Assert.Equal([2L, 7L], example.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        var expected = ExpectedCases.Get("gbt_sklearn", "batch").Inputs["float_input"]!.AsArray().Take(2)
            .SelectMany(row => row!.AsArray().Select(v => (double)v!));
        Assert.Equal(expected, example.GetProperty("data").EnumerateArray().Select(d => d.GetDouble()));
    }

    [Fact]
    public void Import_MlflowTensorSignature_KeepsTheGraphSignatureAndInputExample()
    {
        var manifest = Import("mlflow_tensorspec").Manifest;

        var input = Assert.Single(manifest.Signature.Inputs);
        Assert.Equal("float_input FP32 [-1,4]", Describe(input));
        Assert.Null(input.Columns);
        Assert.Equal(["output_label", "output_probability"], manifest.Signature.Outputs.Select(o => o.Name));
        Assert.Equal(TensorSpec.ProbabilityMapKind, manifest.Signature.Outputs[1].Kind);
        var example = Assert.Single(manifest.InputExample!.Value.GetProperty("inputs").EnumerateArray());
        Assert.Equal([2L, 4L], example.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal([5.1f, 3.5f, 1.4f, 0.2f, 6.9f, 3.1f, 5.4f, 2.1f], example.GetProperty("data").EnumerateArray().Select(d => d.GetSingle()));
    }

    [Fact]
    public void Import_RunIdOption_OverridesMlflowRunId()
    {
        var manifest = Import("mlflow_tensorspec", new ImportOptions(RunId: "mine")).Manifest;

        Assert.Equal("mine", manifest.RunId);
    }

    [Theory]
    [InlineData("tree_classifier.onnx")]
    [InlineData("bank_columns.onnx")]
    [InlineData("mlflow_colspec")]
    [InlineData("mlflow_tensorspec")]
    public void Import_InputExample_IsAV2RequestTheModelAccepts(string model)
    {
        var manifest = Import(model).Manifest;
        var layout = new InputLayout(manifest.Signature);

        var request = V2RequestDecoder.Decode(JsonSerializer.SerializeToUtf8Bytes(manifest.InputExample), layout);

        Assert.Equal(manifest.Signature.Inputs.Count, request.Batch.Inputs.Count);
    }
}
