using Kiln.Core.Packaging;
using Kiln.Core.Tensors;
using Kiln.Inference.MlNet;
using Kiln.Inference.Writers;
using Kiln.Training.Data;
using Kiln.Training.Training;

namespace Kiln.Training.Packaging;

/// <summary>Builds the manifest of a trained model: its signature, flavor options and an input example from real rows.</summary>
internal static class PackageBuilder
{
    public static ModelSignature Signature(FeatureSet features, LabelInfo label)
    {
        var inputs = features.All
            .Select(c => new TensorSpec(c.Name, c.Kind == ColumnKind.Numeric ? TensorDataType.Fp32 : TensorDataType.Bytes, [-1, 1]))
            .ToArray();
        TensorSpec[] outputs = label.Task == TrainingTask.Regression
            ? [new TensorSpec(MlNetFlavorOptions.PredictionOutput, TensorDataType.Fp32, [-1])]
            :
            [
                new TensorSpec(MlNetFlavorOptions.LabelOutput, TensorDataType.Bytes, [-1]),
                new TensorSpec(MlNetFlavorOptions.ProbabilitiesOutput, TensorDataType.Fp32, [-1, label.Classes.Count]),
            ];
        return new ModelSignature(inputs, outputs);
    }

    public static MlNetFlavorOptions FlavorOptions(FeatureSet features, LabelInfo label) => new(
        label.Task.ToName(),
        features.Numeric.Select(c => c.Name).ToArray(),
        features.Categorical.Select(c => c.Name).ToArray(),
        label.Classes);

    /// <summary>An Open Inference Protocol v2 request with one input per column for the given table rows.</summary>
    public static InferenceBatch Example(FeatureSet features, IReadOnlyList<int> rows)
    {
        var tensors = new Tensor[features.All.Length];
        for (var i = 0; i < tensors.Length; i++)
        {
            var column = features.All[i];
            long[] shape = [rows.Count, 1];
            if (column.Kind == ColumnKind.Numeric)
            {
                var data = rows.Select(r => (float)column.Numbers![r]).ToArray();
                tensors[i] = new Tensor(column.Name, TensorDataType.Fp32, shape, data, data.Length);
            }
            else
            {
                var data = rows.Select(r => column.Values![r] ?? string.Empty).ToArray();
                tensors[i] = new Tensor(column.Name, TensorDataType.Bytes, shape, data, data.Length);
            }
        }

        return new InferenceBatch(tensors, rows.Count);
    }

    public static ModelManifest Manifest(
        FeatureSet features, LabelInfo label, IReadOnlyList<int> exampleRows, DataProfile profile,
        IReadOnlyDictionary<string, double> metrics, IReadOnlyDictionary<string, string> metadata) => new()
    {
        Flavor = ModelFlavors.MlNet,
        ModelFile = MlNetPackage.ModelFile,
        Signature = Signature(features, label),
        InputExample = V2RequestWriter.ToJson(Example(features, exampleRows)),
        Metadata = metadata,
        Profile = profile,
        Metrics = metrics,
        FlavorOptions = FlavorOptions(features, label).ToDictionary(),
    };
}
