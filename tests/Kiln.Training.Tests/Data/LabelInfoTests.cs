using Kiln.Core;
using Kiln.Training.Data;

namespace Kiln.Training.Tests.Data;

public class LabelInfoTests
{
    private static TabularColumn Text(params string?[] values) => TabularColumn.Categorical("y", values);

    private static TabularColumn Numbers(params double[] values) => TabularColumn.Numeric("y", values);

    [Theory]
    [InlineData("no", "yes")]
    [InlineData("No", "Yes")]
    [InlineData("false", "true")]
    [InlineData("FALSE", "TRUE")]
    public void Resolve_KnownPair_MakesTheAffirmativeValuePositive(string negative, string positive)
    {
        // The positive value is the more frequent one here: the known pair wins over rarity.
        var label = LabelInfo.Resolve(Text(positive, positive, positive, negative), task: null);

        Assert.Equal(TrainingTask.Binary, label.Task);
        Assert.Equal([negative, positive], label.Classes);
    }

    [Fact]
    public void Resolve_NumericOneAndZero_MakesOnePositive()
    {
        var label = LabelInfo.Resolve(Numbers(1, 1, 1, 0), task: null);

        Assert.Equal(TrainingTask.Binary, label.Task);
        Assert.Equal(["0", "1"], label.Classes);
    }

    [Fact]
    public void Resolve_TwoOtherValues_MakesTheRarerPositive()
    {
        var label = LabelInfo.Resolve(Text("stay", "stay", "churn", "stay"), task: null);

        Assert.Equal(["stay", "churn"], label.Classes);
    }

    [Fact]
    public void Resolve_FewTextValues_IsMulticlassInOrdinalOrder()
    {
        var label = LabelInfo.Resolve(Text("b", "c", "a", "b", null), task: null);

        Assert.Equal(TrainingTask.Multiclass, label.Task);
        Assert.Equal(["a", "b", "c"], label.Classes);
    }

    [Fact]
    public void Resolve_FewIntegers_IsMulticlassInNumericOrder()
    {
        var label = LabelInfo.Resolve(Numbers(10, 2, 3, 2, 10), task: null);

        Assert.Equal(TrainingTask.Multiclass, label.Task);
        Assert.Equal(["2", "3", "10"], label.Classes);
    }

    [Fact]
    public void Resolve_ManyNumbers_IsRegression()
    {
        var label = LabelInfo.Resolve(Numbers(Enumerable.Range(0, 50).Select(i => i * 0.5).ToArray()), task: null);

        Assert.Equal(TrainingTask.Regression, label.Task);
        Assert.Empty(label.Classes);
    }

    [Fact]
    public void Resolve_FewFractions_IsRegression()
    {
        var label = LabelInfo.Resolve(Numbers(0.5, 1.5, 2.25, 0.5), task: null);

        Assert.Equal(TrainingTask.Regression, label.Task);
    }

    [Fact]
    public void Resolve_ManyTextValues_AsksForTheTask()
    {
        var column = Text(Enumerable.Range(0, 25).Select(i => $"c{i}").ToArray());

        var error = Assert.Throws<KilnException>(() => LabelInfo.Resolve(column, task: null));

        Assert.Contains("multiclass", error.Message, StringComparison.Ordinal);
        Assert.Equal(25, LabelInfo.Resolve(column, TrainingTask.Multiclass).Classes.Count);
    }

    [Fact]
    public void Resolve_BinaryGivenForThreeValues_IsInvalid()
    {
        Assert.Throws<KilnException>(() => LabelInfo.Resolve(Text("a", "b", "c"), TrainingTask.Binary));
    }

    [Fact]
    public void Resolve_RegressionGivenForText_IsInvalid()
    {
        Assert.Throws<KilnException>(() => LabelInfo.Resolve(Text("a", "b", "c"), TrainingTask.Regression));
    }

    [Fact]
    public void Resolve_OneValue_IsInvalid()
    {
        Assert.Throws<KilnException>(() => LabelInfo.Resolve(Text("a", "a", null), task: null));
    }

    [Fact]
    public void Encode_MissingLabels_AreLeftOut()
    {
        var column = Text("yes", null, "no", "yes");
        var label = LabelInfo.Resolve(column, task: null);

        var encoded = label.Encode(column);

        Assert.Equal([0, 2, 3], encoded.Rows);
        Assert.Equal([1f, 0f, 1f], encoded.Values);
    }

    [Fact]
    public void Parse_TaskNames_AreCaseInsensitive()
    {
        Assert.Equal(TrainingTask.Multiclass, TrainingTasks.Parse("MultiClass"));
        Assert.Equal("regression", TrainingTask.Regression.ToName());
        Assert.Throws<KilnException>(() => TrainingTasks.Parse("ranking"));
    }
}
