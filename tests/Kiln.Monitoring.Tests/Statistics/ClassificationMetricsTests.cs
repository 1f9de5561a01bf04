using Kiln.Monitoring.Statistics;

namespace Kiln.Monitoring.Tests.Statistics;

public sealed class ClassificationMetricsTests
{
    public static TheoryData<string> BinaryCases() => [.. Fixture.Cases("classification.json", "binary").Select(c => c.Name())];

    public static TheoryData<string> MulticlassCases() => [.. Fixture.Cases("classification.json", "multiclass").Select(c => c.Name())];

    [Theory]
    [MemberData(nameof(BinaryCases))]
    public void Binary_FixtureCase_MatchesScikitLearn(string name)
    {
        var c = Fixture.Cases("classification.json", "binary").Single(e => e.Name() == name);
        var actual = c.Ints("actual").Select(v => v == 1).ToArray();
        var predicted = c.Ints("predicted").Select(v => v == 1).ToArray();

        var quality = ClassificationMetrics.Binary(actual, predicted, c.Doubles("score"));

        Assert.Equal(actual.Length, quality.Count);
        Expect.Close(c.Number("accuracy"), quality.Accuracy, what: "accuracy");
        Expect.Close(c.Number("precision"), quality.Precision, what: "precision");
        Expect.Close(c.Number("recall"), quality.Recall, what: "recall");
        Expect.Close(c.Number("f1"), quality.F1, what: "f1");
        Expect.Close(c.Number("positiveRate"), quality.PositiveRate, what: "positive rate");
        Expect.Close(c.Number("logLoss"), quality.LogLoss!.Value, what: "log loss");
        if (c.NullableNumber("auc") is { } auc)
        {
            Expect.Close(auc, quality.RocAuc!.Value, what: "auc");
        }
        else
        {
            Assert.Null(quality.RocAuc);
        }
    }

    [Fact]
    public void Binary_NoScores_LeavesAucAndLogLossNull()
    {
        var quality = ClassificationMetrics.Binary([true, false, true], [true, true, false], []);

        Assert.Null(quality.RocAuc);
        Assert.Null(quality.LogLoss);
        Assert.Equal(0.5, quality.Precision);
    }

    [Fact]
    public void Binary_MismatchedLengths_Throws()
    {
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.Binary([true, false], [true], []));
    }

    [Theory]
    [MemberData(nameof(MulticlassCases))]
    public void Multiclass_FixtureCase_MatchesScikitLearn(string name)
    {
        var c = Fixture.Cases("classification.json", "multiclass").Single(e => e.Name() == name);

        var quality = ClassificationMetrics.Multiclass(c.Ints("actual"), c.Ints("predicted"), c.Doubles("probabilities"), c.GetProperty("classes").GetInt32());

        Expect.Close(c.Number("accuracy"), quality.Accuracy, what: "accuracy");
        Expect.Close(c.Number("macroPrecision"), quality.MacroPrecision, what: "precision");
        Expect.Close(c.Number("macroRecall"), quality.MacroRecall, what: "recall");
        Expect.Close(c.Number("macroF1"), quality.MacroF1, what: "f1");
        Expect.Close(c.Number("logLoss"), quality.LogLoss!.Value, what: "log loss");
        Expect.Close(c.Number("macroAucOvr"), quality.MacroRocAuc!.Value, what: "auc");
    }

    [Fact]
    public void Multiclass_ClassNeverActual_LeavesAucNull()
    {
        var quality = ClassificationMetrics.Multiclass([0, 1, 0], [0, 2, 0], [0.8, 0.1, 0.1, 0.2, 0.3, 0.5, 0.6, 0.2, 0.2], 3);

        Assert.Null(quality.MacroRocAuc);
        Assert.Equal(2.0 / 3, quality.Accuracy, 12);
    }
}
