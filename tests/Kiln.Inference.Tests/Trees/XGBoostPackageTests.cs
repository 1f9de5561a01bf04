using System.Text.Json;
using Kiln.Core.Packaging;
using Kiln.Core.Tensors;
using Kiln.Inference.Packaging;
using Kiln.Inference.Runtime;
using Kiln.Inference.Tests.Support;
using Kiln.Inference.Trees;
using Kiln.Inference.Trees.XGBoost;
using Xunit;

namespace Kiln.Inference.Tests.Trees;

/// <summary>An XGBoost model saved as JSON registers as the xgboost flavor and serves XGBoost's own predictions.</summary>
public sealed class XGBoostPackageTests
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Trees", "Fixtures", "xgboost");

    [Fact]
    public void ABinaryClassifier_ImportsWithItsSignatureAndMetadata_AndAnswersPredictProba()
    {
        using var directory = new TempDirectory().WithFile("model.json", File.ReadAllText(Path.Combine(Fixtures, "binary_logistic.json")));

        var package = ModelPackageImporter.Import(directory.Path, new ImportOptions(["a", "b", "c", "d", "e", "f"]));
        using var runtime = new XGBoostRuntimeFactory().Load(package.Manifest, path => File.OpenRead(Path.Combine(directory.Path, path)));

        var manifest = package.Manifest;
        Assert.Equal(ModelFlavors.XGBoost, manifest.Flavor);
        Assert.Equal("model.json", manifest.ModelFile);
        Assert.Equal(["a", "b", "c", "d", "e", "f"], manifest.Signature.Inputs[0].Columns!);
        Assert.Equal([-1L, 6L], manifest.Signature.Inputs[0].Shape);
        Assert.Equal(["label", "probabilities"], manifest.Signature.Outputs.Select(o => o.Name));
        Assert.Equal(TensorSpec.ProbabilityMapKind, manifest.Signature.Outputs[1].Kind);
        Assert.Equal("compiled-trees", manifest.Metadata[ModelEngine.Key]);
        Assert.Equal("binary:logistic", manifest.Metadata["xgboost.objective"]);
        Assert.Equal("1.7.4", manifest.Metadata["xgboost.version"]);
        Assert.NotNull(manifest.InputExample);

        var (batch, expected) = Expected("binary_logistic");
        var result = runtime.Predict(batch, null);
        var labels = (long[])result.Outputs[0].Data;
        var probabilities = (float[])result.Outputs[1].Data;
        Assert.Equal(["0", "1"], result.Outputs[1].Labels!);
        for (var r = 0; r < batch.Rows; r++)
        {
            var p = expected[r][0];
            Assert.True(ResultComparison.Close(p, probabilities[(r * 2) + 1]), $"row {r}: P(1) {probabilities[(r * 2) + 1]} instead of {p}");
            Assert.True(ResultComparison.Close(1 - p, probabilities[r * 2]), $"row {r}: P(0) {probabilities[r * 2]} instead of {1 - p}");
            Assert.Equal(p > 0.5f ? 1 : 0, labels[r]);
        }
    }

    [Theory]
    [InlineData("binary_logistic")]
    [InlineData("multiclass_softprob")]
    public void AModelSavedAsUbjson_ServesWhatTheSameModelAsJsonServes(string name)
    {
        using var asJson = new TempDirectory().WithFile("model.json", File.ReadAllText(Path.Combine(Fixtures, name + ".json")));
        using var asUbjson = new TempDirectory();
        File.Copy(Path.Combine(Fixtures, name + ".ubj"), Path.Combine(asUbjson.Path, "model.ubj"));

        var json = ModelPackageImporter.Import(asJson.Path, new ImportOptions());
        var ubjson = ModelPackageImporter.Import(asUbjson.Path, new ImportOptions());
        using var fromJson = new XGBoostRuntimeFactory().Load(json.Manifest, path => File.OpenRead(Path.Combine(asJson.Path, path)));
        using var fromUbjson = new XGBoostRuntimeFactory().Load(ubjson.Manifest, path => File.OpenRead(Path.Combine(asUbjson.Path, path)));

        Assert.Equal(("xgboost", "model.ubj"), (ubjson.Manifest.Flavor, ubjson.Manifest.ModelFile));
        var (batch, _) = Expected(name);
        var a = fromJson.Predict(batch, null);
        var b = fromUbjson.Predict(batch, null);
        Assert.Equal(a.Outputs.Select(o => o.Name), b.Outputs.Select(o => o.Name));
        for (var o = 0; o < a.Outputs.Count; o++)
        {
            Assert.Equal(a.Outputs[o].Data.Cast<object>(), b.Outputs[o].Data.Cast<object>());
        }
    }

    [Fact]
    public void AnMlflowDirectoryWithTheXGBoostFlavor_ImportsWithItsColumnsAndRun_AndAnswersXGBoostsPredictions()
    {
        using var directory = new TempDirectory();
        foreach (var file in Directory.GetFiles(Path.Combine(Fixtures, "mlflow_xgboost")))
        {
            File.Copy(file, Path.Combine(directory.Path, Path.GetFileName(file)));
        }

        var package = ModelPackageImporter.Import(directory.Path, new ImportOptions());
        using var runtime = new XGBoostRuntimeFactory().Load(package.Manifest, path => File.OpenRead(Path.Combine(directory.Path, path)));

        var manifest = package.Manifest;
        Assert.Equal((ModelFlavors.XGBoost, "model.ubj"), (manifest.Flavor, manifest.ModelFile));
        Assert.Equal(["x0", "x1", "x2", "x3", "x4", "x5"], manifest.Signature.Inputs[0].Columns!);
        Assert.Equal("0f1e2d3c4b5a69788796a5b4c3d2e1f0", manifest.RunId);
        Assert.Equal("2.9.2", manifest.Metadata["mlflow_version"]);
        var (batch, expected) = Expected("binary_logistic");
        var probabilities = (float[])runtime.Predict(batch, null).Outputs[1].Data;
        for (var r = 0; r < batch.Rows; r++)
        {
            Assert.True(ResultComparison.Close(expected[r][0], probabilities[(r * 2) + 1]), $"row {r}: P(1) {probabilities[(r * 2) + 1]} instead of {expected[r][0]}");
        }
    }

    [Fact]
    public void XGBoostsOlderBinaryFormat_IsRefusedSayingHowToSaveIt()
    {
        using var directory = new TempDirectory();
        foreach (var file in Directory.GetFiles(Path.Combine(Fixtures, "mlflow_xgboost")))
        {
            File.Copy(file, Path.Combine(directory.Path, Path.GetFileName(file)));
        }

        File.Copy(Path.Combine(Fixtures, "binary_logistic.legacy.xgb"), Path.Combine(directory.Path, "model.ubj"), overwrite: true);

        var error = Assert.Throws<Kiln.Core.KilnException>(() => ModelPackageImporter.Import(directory.Path, new ImportOptions()));

        Assert.Contains("older binary format", error.Message, StringComparison.Ordinal);
        Assert.Contains("model.ubj", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnMlflowDirectoryInTheXgbFormat_IsRefusedNamingTheFormat()
    {
        using var directory = new TempDirectory();
        foreach (var file in Directory.GetFiles(Path.Combine(Fixtures, "mlflow_xgboost")))
        {
            File.Copy(file, Path.Combine(directory.Path, Path.GetFileName(file)));
        }

        File.WriteAllText(Path.Combine(directory.Path, "MLmodel"), File.ReadAllText(Path.Combine(directory.Path, "MLmodel")).Replace("model_format: ubj", "model_format: xgb", StringComparison.Ordinal));

        var error = Assert.Throws<Kiln.Core.KilnException>(() => ModelPackageImporter.Import(directory.Path, new ImportOptions()));

        Assert.Contains("model_format is 'xgb'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("regression")]
    [InlineData("binary_logitraw")]
    public void ARegressorOrRawMargin_AnswersPredict(string name)
    {
        using var directory = new TempDirectory().WithFile($"{name}.json", File.ReadAllText(Path.Combine(Fixtures, name + ".json")));

        var package = ModelPackageImporter.Import(directory.Path, new ImportOptions());
        using var runtime = new XGBoostRuntimeFactory().Load(package.Manifest, path => File.OpenRead(Path.Combine(directory.Path, path)));
        var (batch, expected) = Expected(name);
        var result = runtime.Predict(batch, null);

        var output = Assert.Single(result.Outputs);
        Assert.Equal("prediction", output.Name);
        Assert.Equal([batch.Rows], output.Shape.Select(d => (int)d));
        for (var r = 0; r < batch.Rows; r++)
        {
            Assert.True(ResultComparison.Close(expected[r][0], ((float[])output.Data)[r]), $"row {r}: {((float[])output.Data)[r]} instead of {expected[r][0]}");
        }
    }

    [Fact]
    public void AMulticlassModel_AnswersItsClassProbabilities_AndTheMostLikelyClass()
    {
        using var directory = new TempDirectory().WithFile("model.json", File.ReadAllText(Path.Combine(Fixtures, "multiclass_softprob.json")));

        var package = ModelPackageImporter.Import(directory.Path, new ImportOptions());
        using var runtime = new XGBoostRuntimeFactory().Load(package.Manifest, path => File.OpenRead(Path.Combine(directory.Path, path)));
        var (batch, expected) = Expected("multiclass_softprob");
        var result = runtime.Predict(batch, ["probabilities", "label"]);

        var probabilities = (float[])result.Outputs[0].Data;
        var labels = (long[])result.Outputs[1].Data;
        for (var r = 0; r < batch.Rows; r++)
        {
            for (var c = 0; c < 3; c++)
            {
                Assert.True(ResultComparison.Close(expected[r][c], probabilities[(r * 3) + c]), $"row {r} class {c}");
            }

            Assert.Equal(Array.IndexOf(expected[r], expected[r].Max()), labels[r]);
        }
    }

    [Fact]
    public void AJsonFileThatIsNotAnXGBoostModel_IsNotTakenForOne()
    {
        using var directory = new TempDirectory().WithFile("notes.json", """{"hello": "world"}""");

        var error = Assert.Throws<Kiln.Core.KilnException>(() => ModelPackageImporter.Import(directory.Path, new ImportOptions()));

        Assert.Contains("no XGBoost or LightGBM model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnXGBoostModelWithAnObjectiveKilnDoesNotServe_IsRefusedNamingIt()
    {
        var json = File.ReadAllText(Path.Combine(Fixtures, "regression.json")).Replace("\"reg:squarederror\"", "\"rank:pairwise\"", StringComparison.Ordinal);
        using var directory = new TempDirectory().WithFile("model.json", json);

        var error = Assert.Throws<Kiln.Core.KilnException>(() => ModelPackageImporter.Import(directory.Path, new ImportOptions()));

        Assert.Equal("model.json", error.Field);
        Assert.Contains("rank:pairwise", error.Message, StringComparison.Ordinal);
    }

    private static (InferenceBatch Batch, float[][] Predictions) Expected(string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Fixtures, name + ".expected.json")));
        var rows = document.RootElement.GetProperty("inputs").EnumerateArray()
            .Select(row => row.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? float.NaN : v.GetSingle()).ToArray()).ToArray();
        var predictions = document.RootElement.GetProperty("predictions").EnumerateArray()
            .Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        var data = rows.SelectMany(r => r).ToArray();
        var batch = new InferenceBatch([new Tensor("input", TensorDataType.Fp32, [rows.Length, rows[0].Length], data, data.Length)], rows.Length);
        return (batch, predictions);
    }
}
