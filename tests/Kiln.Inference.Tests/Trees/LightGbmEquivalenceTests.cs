using System.Text.Json;
using Kiln.Core;
using Kiln.Core.Tensors;
using Kiln.Inference.Trees;
using Kiln.Inference.Trees.LightGbm;
using Xunit;

namespace Kiln.Inference.Tests.Trees;

/// <summary>
/// LightGBM models read from LightGBM's own text format and scored by the compiled engine give LightGBM's own raw
/// scores and predictions, missing values and exact zeros included. The expected values were made by a real LightGBM
/// (the lib_lightgbm.so of the LightGBM 4.6.0 NuGet package) with tools/lightgbm/make_fixtures.py.
/// </summary>
public sealed class LightGbmEquivalenceTests
{
    internal static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Trees", "Fixtures", "lightgbm");

    [Theory]
    [InlineData("binary", "binary", 2)]
    [InlineData("regression", "regression", 0)]
    [InlineData("multiclass", "multiclass", 3)]
    [InlineData("cross_entropy", "cross_entropy", 0)]
    public void RawScoresAndPredictions_EqualLightGbm(string name, string objective, int classes)
    {
        var model = Read(name);
        using var expected = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Fixtures, name + ".expected.json")));
        var inputs = Inputs(expected);
        var data = inputs.SelectMany(r => r).ToArray();
        var trees = CompiledTreeEnsemble.Compile(model.Trees);
        var targets = trees.TargetCount;
        using var runtime = new LightGbmRuntime(model);

        Assert.Equal(objective, model.Objective.Name);
        Assert.Equal(classes, model.Objective.Classes);
        foreach (var rows in new[] { 1, 3, 17, inputs.Length })
        {
            var sums = new double[rows * targets];
            trees.ScoreSums(data.AsSpan(0, rows * model.FeatureCount), rows, model.FeatureCount, sums);
            var batch = new InferenceBatch([new Tensor("input", TensorDataType.Fp32, [rows, model.FeatureCount], data[..(rows * model.FeatureCount)], rows * model.FeatureCount)], rows);
            var result = runtime.Predict(batch, null);
            for (var r = 0; r < rows; r++)
            {
                var raw = expected.RootElement.GetProperty("raw")[r];
                var prediction = expected.RootElement.GetProperty("predictions")[r];
                for (var k = 0; k < targets; k++)
                {
                    Assert.True(raw[k].GetDouble() == sums[(r * targets) + k], $"{name}, {rows} rows, row {r}: raw {sums[(r * targets) + k]:R}, LightGBM {raw[k].GetDouble():R}");
                }

                AssertPrediction(result, prediction, r, classes, $"{name}, {rows} rows, row {r}");
            }
        }
    }

    [Theory]
    [InlineData("zero_as_missing.txt", "treats zero as missing (zero_as_missing=true)")]
    [InlineData("categorical.txt", "has a categorical split")]
    public void WhatTheEngineDoesNotCover_IsRefusedNamingIt(string file, string reason)
    {
        using var stream = File.OpenRead(Path.Combine(Fixtures, file));

        var error = Assert.Throws<KilnException>(() => LightGbmRuntimeFactory.ReadModel(stream, file));

        Assert.Contains($"is a LightGBM model Kiln cannot serve: tree", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileThatIsNotALightGbmModel_IsRefused()
    {
        using var stream = new MemoryStream("version=v4\nnum_class=1\n"u8.ToArray());

        var error = Assert.Throws<KilnException>(() => LightGbmRuntimeFactory.ReadModel(stream, "model.txt"));

        Assert.Contains("is not a LightGBM model in its text format", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.15683750063180926)]
    [InlineData(-1.2499999999999998)]
    [InlineData(1.0000000180025095e-35)]
    [InlineData(-1.0000000180025095e-35)]
    [InlineData(0.5)]
    [InlineData(1e300)]
    [InlineData(-1e300)]
    public void AFloatIsAtMostTheThreshold_ExactlyWhenItsDoubleIs(double threshold)
    {
        var single = LightGbmModelReader.LargestFloatAtMost(threshold);
        var around = new[] { single, MathF.BitIncrement(single), MathF.BitDecrement(single), (float)threshold, MathF.BitIncrement((float)threshold) };

        foreach (var x in around.Where(float.IsFinite))
        {
            Assert.Equal((double)x <= threshold, x <= single);
        }
    }

    internal static LightGbmModel Read(string name)
    {
        using var stream = File.OpenRead(Path.Combine(Fixtures, name + ".txt"));
        return LightGbmRuntimeFactory.ReadModel(stream, name);
    }

    internal static float[][] Inputs(JsonDocument expected) =>
        expected.RootElement.GetProperty("inputs").EnumerateArray()
            .Select(row => row.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? float.NaN : (float)v.GetDouble()).ToArray()).ToArray();

    private static void AssertPrediction(InferenceResult result, JsonElement prediction, int row, int classes, string what)
    {
        if (classes == 0)
        {
            var value = ((float[])result.Outputs.Single(o => o.Name == NativeTreeSignature.PredictionOutput).Data)[row];
            Assert.True((float)prediction[0].GetDouble() == value, $"{what}: prediction {value:R}, LightGBM {prediction[0].GetDouble():R}");
            return;
        }

        var probabilities = (float[])result.Outputs.Single(o => o.Name == NativeTreeSignature.ProbabilitiesOutput).Data;
        var label = ((long[])result.Outputs.Single(o => o.Name == NativeTreeSignature.LabelOutput).Data)[row];
        var expected = classes == 2
            ? [1d - prediction[0].GetDouble(), prediction[0].GetDouble()]
            : prediction.EnumerateArray().Select(p => p.GetDouble()).ToArray();
        for (var c = 0; c < classes; c++)
        {
            Assert.True((float)expected[c] == probabilities[(row * classes) + c], $"{what}: class {c} {probabilities[(row * classes) + c]:R}, LightGBM {expected[c]:R}");
        }

        Assert.Equal(Array.IndexOf(expected, expected.Max()), (int)label);
    }
}
