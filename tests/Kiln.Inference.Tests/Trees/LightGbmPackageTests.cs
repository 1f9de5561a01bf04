using System.Text.Json;
using Kiln.Core;
using Kiln.Core.Packaging;
using Kiln.Core.Tensors;
using Kiln.Inference.Packaging;
using Kiln.Inference.Runtime;
using Kiln.Inference.Tests.Support;
using Kiln.Inference.Trees.LightGbm;
using Xunit;

namespace Kiln.Inference.Tests.Trees;

/// <summary>A LightGBM text model, alone or in an MLflow directory with the lightgbm flavor, registers as the lightgbm flavor and serves LightGBM's own predictions.</summary>
public sealed class LightGbmPackageTests
{
    private static readonly string Fixtures = LightGbmEquivalenceTests.Fixtures;

    [Fact]
    public void ATextModel_ImportsWithItsSignatureAndMetadata_AndAnswersAsLightGbm()
    {
        using var directory = new TempDirectory().WithFile("model.txt", File.ReadAllText(Path.Combine(Fixtures, "binary.txt")));

        var package = ModelPackageImporter.Import(directory.Path, new ImportOptions(["a", "b", "c", "d", "e", "f"]));
        using var runtime = new LightGbmRuntimeFactory().Load(package.Manifest, path => File.OpenRead(Path.Combine(directory.Path, path)));

        var manifest = package.Manifest;
        Assert.Equal((ModelFlavors.LightGbm, "model.txt"), (manifest.Flavor, manifest.ModelFile));
        Assert.Equal(["a", "b", "c", "d", "e", "f"], manifest.Signature.Inputs[0].Columns!);
        Assert.Equal(["label", "probabilities"], manifest.Signature.Outputs.Select(o => o.Name));
        Assert.Equal(ModelEngine.CompiledTrees, manifest.Metadata[ModelEngine.Key]);
        Assert.Contains("40 trees", manifest.Metadata[ModelEngine.DetailKey], StringComparison.Ordinal);
        Assert.Equal(("binary", "v4"), (manifest.Metadata["lightgbm.objective"], manifest.Metadata["lightgbm.format"]));

        using var expected = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Fixtures, "binary.expected.json")));
        var inputs = LightGbmEquivalenceTests.Inputs(expected);
        var data = inputs.SelectMany(r => r).ToArray();
        var result = runtime.Predict(new InferenceBatch([new Tensor("input", TensorDataType.Fp32, [inputs.Length, 6], data, data.Length)], inputs.Length), ["probabilities"]);
        var probabilities = (float[])result.Outputs[0].Data;
        for (var r = 0; r < inputs.Length; r++)
        {
            Assert.Equal((float)expected.RootElement.GetProperty("predictions")[r][0].GetDouble(), probabilities[(2 * r) + 1]);
        }
    }

    [Fact]
    public void AnMlflowLightGbmDirectory_ImportsItsBoosterWithTheSignaturesColumnsAndRunId()
    {
        var source = Path.Combine(Fixtures, "mlflow_lightgbm");
        using var directory = new TempDirectory()
            .WithFile("MLmodel", File.ReadAllText(Path.Combine(source, "MLmodel")))
            .WithFile("model.lgb", File.ReadAllText(Path.Combine(source, "model.lgb")));

        var manifest = ModelPackageImporter.Import(directory.Path, new ImportOptions()).Manifest;

        Assert.Equal((ModelFlavors.LightGbm, "model.lgb"), (manifest.Flavor, manifest.ModelFile));
        Assert.Equal(["x0", "x1", "x2", "x3", "x4", "x5"], manifest.Signature.Inputs[0].Columns!);
        Assert.Equal("1e2d3c4b5a69788796a5b4c3d2e1f0a9", manifest.RunId);
        Assert.Equal("2.9.2", manifest.Metadata["mlflow_version"]);
    }

    [Fact]
    public void AnMlflowLightGbmDirectoryWithAPickledEstimator_IsRefusedSayingWhatToLog()
    {
        var mlmodel = File.ReadAllText(Path.Combine(Fixtures, "mlflow_lightgbm", "MLmodel"))
            .Replace("data: model.lgb", "data: model.pkl", StringComparison.Ordinal)
            .Replace("lightgbm.basic.Booster", "lightgbm.sklearn.LGBMClassifier", StringComparison.Ordinal);
        using var directory = new TempDirectory().WithFile("MLmodel", mlmodel).WithFile("model.pkl", "pickle");

        var error = Assert.Throws<KilnException>(() => ModelPackageImporter.Import(directory.Path, new ImportOptions()));

        Assert.Contains("pickled scikit-learn estimator ('model.pkl', model_class lightgbm.sklearn.LGBMClassifier)", error.Message, StringComparison.Ordinal);
        Assert.Contains("model.booster_", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AModelWithACategoricalSplit_IsRefusedAtRegistration()
    {
        using var directory = new TempDirectory().WithFile("model.txt", File.ReadAllText(Path.Combine(Fixtures, "categorical.txt")));

        var error = Assert.Throws<KilnException>(() => ModelPackageImporter.Import(directory.Path, new ImportOptions()));

        Assert.Contains("model.txt: is a LightGBM model Kiln cannot serve", error.Message, StringComparison.Ordinal);
    }
}
