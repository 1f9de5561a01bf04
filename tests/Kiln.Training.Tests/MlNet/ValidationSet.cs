using Kiln.Core.Tensors;
using Kiln.Training.Data;
using Kiln.Training.Packaging;
using Kiln.Training.Tests.Support;
using Kiln.Training.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Kiln.Training.Tests.MlNet;

/// <summary>The fixture sweep's validation rows, rebuilt the way the sweep built them.</summary>
internal sealed class ValidationSet
{
    private ValidationSet(FeatureSet features, LabelInfo label, EncodedLabels labels, DataSplit split)
    {
        Features = features;
        Label = label;
        Labels = labels;
        Split = split;
        Rows = split.Validation.Select(p => labels.Rows[p]).ToArray();
    }

    public FeatureSet Features { get; }

    public LabelInfo Label { get; }

    public EncodedLabels Labels { get; }

    public DataSplit Split { get; }

    /// <summary>Table rows of the validation split.</summary>
    public int[] Rows { get; }

    public bool[] Positive => Split.Validation.Select(p => Labels.Values[p] > 0.5f).ToArray();

    public static async Task<ValidationSet> LoadAsync(BankSweepFixture fixture)
    {
        var data = await TabularReader.LoadAsync(fixture.DataPath, ["duration"]);
        data.TryGetColumn("y", out var y);
        var label = LabelInfo.Resolve(y, task: null);
        var labels = label.Encode(y);
        var split = DataSplit.Create(labels, label.Task, 0.2, BankSweepFixture.Seed);
        return new ValidationSet(new FeatureSet(data.Columns.Where(c => c != y).ToArray()), label, labels, split);
    }

    /// <summary>Rows as a Kiln batch: one [n, 1] tensor per column, as a decoder would produce.</summary>
    public InferenceBatch Batch(IReadOnlyList<int> rows) => PackageBuilder.Example(Features, rows);

    /// <summary>ML.NET's own scoring of the validation rows with a package's saved model (as its evaluation saw them).</summary>
    public float[] MlNetProbabilities(string packageDirectory)
    {
        var ml = new MLContext(1);
        var model = ml.Model.Load(Path.Combine(packageDirectory, MlNetPackage.ModelFile), out _);
        var scored = model.Transform(TrainingViews.Create(ml, Features, Label, Labels, Split.Validation));
        return scored.GetColumn<float>("Probability").ToArray();
    }
}
