using Kiln.Inference.Packaging;
using Kiln.Inference.Tests.Support;

namespace Kiln.Inference.Tests.Packaging;

/// <summary>Packages that cannot serve are refused at import with a message naming what is wrong.</summary>
public class ModelPackageImporterErrorTests
{
    private const string TreeTensorSpec = """[{"name": "float_input", "type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}]""";

    /// <summary>A minimal MLmodel with the onnx flavor; <paramref name="inputs"/> is the signature's input schema JSON.</summary>
    private static string MlModel(string? inputs = null, string data = "model.onnx", string? example = null)
    {
        var text = $"""
            artifact_path: model
            flavors:
              onnx:
                data: {data}
                onnx_version: 1.15.0
              python_function:
                data: {data}
                loader_module: mlflow.onnx
            mlflow_version: 2.11.3

            """;
        if (inputs is not null)
        {
            text += $"signature:\n  inputs: '{inputs.Replace("'", "''", StringComparison.Ordinal)}'\n  outputs: null\n";
        }

        if (example is not null)
        {
            text += $"saved_input_example_info:\n  artifact_path: {example}\n  type: ndarray\n";
        }

        return text;
    }

    private static void AssertRefused(TempDirectory directory, string field, string mentions, ImportOptions? options = null)
    {
        using (directory)
        {
            KilnAssert.Invalid(() => ModelPackageImporter.Import(directory.Path, options ?? new ImportOptions()), field, mentions);
        }
    }

    [Fact]
    public void Import_CorruptOnnx_IsInvalidSayingItCannotBeLoaded()
    {
        using var directory = new TempDirectory().WithModel("corrupt.onnx");

        var e = KilnAssert.Invalid(() => ModelPackageImporter.Import(directory.Path, new ImportOptions()), "corrupt.onnx", "is not a loadable ONNX model");

        Assert.True(e.Message.Length <= 400, e.Message);
    }

    [Fact]
    public void Import_TwoOnnxFilesWithoutMlmodel_IsInvalid() =>
        AssertRefused(
            new TempDirectory().WithModel("tree_classifier.onnx").WithModel("regressor.onnx"),
            "package", "has 2 .onnx files and no MLmodel file");

    [Fact]
    public void Import_NoOnnxFile_IsInvalid() =>
        AssertRefused(new TempDirectory().WithFile("README.md", "hello"), "package", "has no .onnx file");

    [Fact]
    public void Import_TwoOnnxFilesWithMlmodel_ServesTheOneItNames()
    {
        using var directory = new TempDirectory()
            .WithModel("tree_classifier.onnx", "model.onnx")
            .WithModel("regressor.onnx", "other.onnx")
            .WithFile("MLmodel", MlModel());

        var package = ModelPackageImporter.Import(directory.Path, new ImportOptions());

        Assert.Equal("model.onnx", package.Manifest.ModelFile);
        Assert.Equal("float_input", package.Manifest.Signature.Inputs[0].Name);
    }

    [Fact]
    public void Import_MlmodelWithoutAFlavorKilnServes_IsInvalid() =>
        AssertRefused(
            new TempDirectory().WithModel("tree_classifier.onnx", "model.onnx").WithFile("MLmodel", """
                artifact_path: model
                flavors:
                  python_function:
                    loader_module: mlflow.sklearn
                    model_path: model.pkl
                  sklearn:
                    pickled_model: model.pkl
                """),
            "MLmodel", "has no 'onnx', 'xgboost' or 'lightgbm' flavor (flavors: python_function, sklearn)");

    [Fact]
    public void Import_MlmodelWithoutFlavors_IsInvalid() =>
        AssertRefused(
            new TempDirectory().WithModel("tree_classifier.onnx", "model.onnx").WithFile("MLmodel", "artifact_path: model\n"),
            "MLmodel", "has no 'flavors'");

    [Fact]
    public void Import_MlmodelThatIsNotYaml_IsInvalid() =>
        AssertRefused(
            new TempDirectory().WithModel("tree_classifier.onnx", "model.onnx").WithFile("MLmodel", "flavors: [onnx\n  data: {"),
            "MLmodel", "is not valid YAML");

    [Fact]
    public void Import_MlmodelNamingAMissingModelFile_IsInvalid() =>
        AssertRefused(
            new TempDirectory().WithModel("tree_classifier.onnx", "model.onnx").WithFile("MLmodel", MlModel(data: "missing.onnx")),
            "MLmodel", "names model file 'missing.onnx', which is not in the package");

    [Fact]
    public void Import_MlflowTensorSpecsNamingUnknownInputs_IsInvalid() =>
        AssertRefused(
            new TempDirectory().WithModel("bank_columns.onnx", "model.onnx").WithFile("MLmodel", MlModel("""
                [{"name": "age", "type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 1]}},
                 {"name": "salary", "type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 1]}}]
                """.ReplaceLineEndings(" "))),
            "MLmodel signature.inputs", "names inputs that the graph does not have");

    [Fact]
    public void Import_MlflowColumnsMatchingNoInput_IsInvalid() =>
        AssertRefused(
            new TempDirectory().WithModel("bank_columns.onnx", "model.onnx").WithFile("MLmodel", MlModel(
                """[{"name": "age", "type": "double"}, {"name": "salary", "type": "double"}]""")),
            "MLmodel signature.inputs", "columns age, salary match neither the graph's inputs nor a single 2-D input");

    [Fact]
    public void Import_MlflowTensorSpecOfAnotherType_IsInvalid() =>
        AssertRefused(
            new TempDirectory().WithModel("bank_columns.onnx", "model.onnx").WithFile("MLmodel", MlModel(
                """[{"name": "age", "type": "tensor", "tensor-spec": {"dtype": "str", "shape": [-1, 1]}}]""")),
            "MLmodel signature.inputs", "'age' is string but the graph takes FP32");

    [Fact]
    public void Import_MlflowStringColumnForAFloatInput_IsInvalid() =>
        AssertRefused(
            new TempDirectory().WithModel("tree_classifier.onnx", "model.onnx").WithFile("MLmodel", MlModel(
                """[{"name": "a", "type": "double"}, {"name": "b", "type": "double"}, {"name": "c", "type": "string"}, {"name": "d", "type": "double"}]""")),
            "MLmodel signature.inputs", "column 'c' is string but input 'float_input' takes FP32");

    [Fact]
    public void Import_MlflowSignatureThatIsNotJson_IsInvalid() =>
        AssertRefused(
            new TempDirectory().WithModel("tree_classifier.onnx", "model.onnx").WithFile("MLmodel", MlModel("[{\"name\": ")),
            "MLmodel signature.inputs", "is not valid schema JSON");

    [Fact]
    public void Import_MlflowColumnTypeUnknown_IsInvalid() =>
        AssertRefused(
            new TempDirectory().WithModel("tree_classifier.onnx", "model.onnx").WithFile("MLmodel", MlModel("""[{"name": "a", "type": "datetime"}]""")),
            "MLmodel signature.inputs[0]", "column type 'datetime' is not supported");

    /// <summary>
    /// The user gave no feature names: the column count comes from MLmodel, so the error must name
    /// MLmodel's signature, not a featureNames option the user never sent.
    /// </summary>
    [Fact]
    public void Import_MlflowColumnCountNotMatchingTheInput_IsInvalidNamingTheSignature() =>
        AssertRefused(
            new TempDirectory().WithModel("tree_classifier.onnx", "model.onnx").WithFile("MLmodel", MlModel(
                """[{"name": "a", "type": "double"}, {"name": "b", "type": "double"}, {"name": "c", "type": "double"}]""")),
            "MLmodel signature.inputs", "3");

    [Fact]
    public void Import_InputExampleNotFittingTheSignature_IsInvalid() =>
        AssertRefused(
            new TempDirectory().WithModel("tree_classifier.onnx", "model.onnx")
                .WithFile("MLmodel", MlModel(TreeTensorSpec, example: "input_example.json"))
                .WithFile("input_example.json", """{"inputs": {"float_input": [[1.0, 2.0, 3.0]]}}"""),
            "input_example", "does not fit the model's signature");

    [Fact]
    public void Import_InputExampleThatIsNotJson_IsInvalid() =>
        AssertRefused(
            new TempDirectory().WithModel("tree_classifier.onnx", "model.onnx")
                .WithFile("MLmodel", MlModel(TreeTensorSpec, example: "input_example.json"))
                .WithFile("input_example.json", "{\"inputs\": [[1.0, 2.0"),
            "input_example", "is not valid JSON");

    [Fact]
    public void Import_FeatureNamesOfTheWrongCount_IsInvalidNamingFeatureNames() =>
        AssertRefused(
            new TempDirectory().WithModel("gbt_sklearn.onnx"),
            "featureNames", "gives 3 names but input 'float_input' has 7 columns",
            new ImportOptions(["age", "balance", "day"]));

    [Fact]
    public void Import_FeatureNamesForAModelWithSeveralInputs_IsInvalid() =>
        AssertRefused(
            new TempDirectory().WithModel("bank_columns.onnx"),
            "featureNames", "apply only to a model with one 2-D input",
            new ImportOptions(["a"]));

    [Fact]
    public void Import_DuplicateFeatureNames_IsInvalid() =>
        AssertRefused(
            new TempDirectory().WithModel("tree_classifier.onnx"),
            "featureNames", "'a' is named more than once",
            new ImportOptions(["a", "b", "a", "d"]));
}
