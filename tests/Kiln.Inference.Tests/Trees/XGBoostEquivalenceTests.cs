using System.Text.Json;
using Kiln.Inference.Trees;
using Kiln.Inference.Trees.XGBoost;
using Xunit;

namespace Kiln.Inference.Tests.Trees;

/// <summary>
/// XGBoost models read from XGBoost's own JSON format and scored by the compiled engine give XGBoost's own margins and
/// predictions (made by Debian's python3-xgboost 1.7 with tools/xgboost/make_fixtures.py), missing values included.
/// </summary>
public sealed class XGBoostEquivalenceTests
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Trees", "Fixtures", "xgboost");

    [Theory]
    [InlineData("binary_logistic", "binary:logistic", 2)]
    [InlineData("binary_logitraw", "binary:logitraw", 2)]
    [InlineData("regression", "reg:squarederror", 0)]
    [InlineData("reg_logistic", "reg:logistic", 0)]
    [InlineData("multiclass_softprob", "multi:softprob", 3)]
    public void MarginsAndPredictions_EqualXGBoost(string name, string objective, int classes)
    {
        XGBoostModel model;
        using (var file = File.OpenRead(Path.Combine(Fixtures, name + ".json")))
        {
            model = XGBoostModelReader.Read(file);
        }

        using var expected = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Fixtures, name + ".expected.json")));
        var inputs = expected.RootElement.GetProperty("inputs").EnumerateArray()
            .Select(row => row.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? float.NaN : v.GetSingle()).ToArray()).ToArray();
        var features = model.FeatureCount;
        var data = inputs.SelectMany(r => r).ToArray();
        var trees = CompiledTreeEnsemble.Compile(model.Trees);
        var targets = trees.TargetCount;
        var initial = Enumerable.Repeat(model.BaseMargin, targets).ToArray();

        Assert.Equal(objective, model.Objective.Name);
        Assert.Equal(classes, model.Objective.Classes);
        foreach (var rows in new[] { 1, 3, inputs.Length })
        {
            var margins = new float[rows * targets];
            trees.Score(data.AsSpan(0, rows * features), rows, features, margins, initial);
            for (var r = 0; r < rows; r++)
            {
                var margin = margins.AsSpan(r * targets, targets);
                AssertClose(expected.RootElement.GetProperty("margins")[r], margin, $"{name}, {rows} rows, row {r} margin");
                var prediction = margin.ToArray();
                model.Objective.Predict(prediction);
                AssertClose(expected.RootElement.GetProperty("predictions")[r], prediction, $"{name}, {rows} rows, row {r} prediction");
            }
        }
    }

    [Fact]
    public void ACategoricalSplit_IsNotCovered()
    {
        var json = File.ReadAllText(Path.Combine(Fixtures, "binary_logistic.json"));
        using var document = JsonDocument.Parse(json);
        var text = json.Replace("\"split_type\":[0,", "\"split_type\":[1,", StringComparison.Ordinal);
        Assert.NotEqual(json, text);

        var error = Assert.Throws<TreeEngineNotCoveredException>(() => XGBoostModelReader.Read(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text))));

        Assert.Contains("categorical split", error.Message, StringComparison.Ordinal);
    }

    private static void AssertClose(JsonElement expected, ReadOnlySpan<float> actual, string where)
    {
        Assert.Equal(expected.GetArrayLength(), actual.Length);
        for (var i = 0; i < actual.Length; i++)
        {
            var e = expected[i].GetSingle();
            Assert.True(ResultComparison.Close(e, actual[i]), $"{where}[{i}]: {actual[i]:R} instead of {e:R}");
        }
    }
}
