using Kiln.Core;
using Kiln.Training.Data;

namespace Kiln.Training.Tests.Data;

public class DataSplitTests
{
    private static EncodedLabels Labels(int rows, int positiveEvery) =>
        new(Enumerable.Range(0, rows).ToArray(), Enumerable.Range(0, rows).Select(i => i % positiveEvery == 0 ? 1f : 0f).ToArray());

    [Fact]
    public void Create_SameSeed_GivesTheSameSplit()
    {
        var labels = Labels(1000, 8);

        var first = DataSplit.Create(labels, TrainingTask.Binary, 0.2, seed: 3);
        var second = DataSplit.Create(labels, TrainingTask.Binary, 0.2, seed: 3);
        var other = DataSplit.Create(labels, TrainingTask.Binary, 0.2, seed: 4);

        Assert.Equal(first.Validation, second.Validation);
        Assert.NotEqual(first.Validation, other.Validation);
    }

    [Fact]
    public void Create_Classification_IsStratifiedAndCoversEveryRowOnce()
    {
        var labels = Labels(1000, 8);

        var split = DataSplit.Create(labels, TrainingTask.Binary, 0.2, seed: 1);

        Assert.Equal(200, split.Validation.Length);
        Assert.Equal(25, split.Validation.Count(i => labels.Values[i] == 1f));
        Assert.Equal(Enumerable.Range(0, 1000), split.Training.Concat(split.Validation).Order());
        Assert.Equal(split.Training.Order(), split.Training);
    }

    [Fact]
    public void Create_FractionOutOfRange_IsInvalid()
    {
        Assert.Throws<KilnException>(() => DataSplit.Create(Labels(10, 2), TrainingTask.Binary, 1.0, seed: 1));
        Assert.Throws<KilnException>(() => DataSplit.Create(Labels(10, 2), TrainingTask.Binary, 0, seed: 1));
    }
}
