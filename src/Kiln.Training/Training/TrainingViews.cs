using Kiln.Inference.MlNet;
using Kiln.Training.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Kiln.Training.Training;

/// <summary>
/// Builds ML.NET views of labelled rows with the columns of <see cref="MlNetFeatureRow"/> plus a
/// <c>Label</c>: a boolean (binary), a key of the class index (multiclass) or a float (regression).
/// </summary>
internal static class TrainingViews
{
    public const string LabelColumn = "Label";

    public static IDataView Create(MLContext ml, FeatureSet features, LabelInfo label, EncodedLabels labels, int[] positions) => label.Task switch
    {
        TrainingTask.Binary => Load(ml, features, labels, positions, value => value > 0.5f, null),
        // A key-typed field of a row object holds the 0-based class index; ML.NET adds the 1 of its key representation itself.
        TrainingTask.Multiclass => Load(ml, features, labels, positions, value => (uint)value, new KeyDataViewType(typeof(uint), label.Classes.Count)),
        _ => Load(ml, features, labels, positions, value => value, null),
    };

    /// <summary>The input schema saved with a model: only the two feature vectors.</summary>
    public static DataViewSchema InputSchema(FeatureSet features)
    {
        var builder = new DataViewSchema.Builder();
        if (features.Numeric.Length > 0)
        {
            builder.AddColumn(MlNetFeatureRow.NumericColumn, new VectorDataViewType(NumberDataViewType.Single, features.Numeric.Length));
        }

        if (features.Categorical.Length > 0)
        {
            builder.AddColumn(MlNetFeatureRow.CategoricalColumn, new VectorDataViewType(TextDataViewType.Instance, features.Categorical.Length));
        }

        return builder.ToSchema();
    }

    private static IDataView Load<TLabel>(MLContext ml, FeatureSet features, EncodedLabels labels, int[] positions, Func<float, TLabel> encode, DataViewType? labelType)
    {
        var rows = new TrainingRow<TLabel>[positions.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            var row = labels.Rows[positions[i]];
            rows[i] = new TrainingRow<TLabel>
            {
                Numeric = features.NumericRow(row),
                Categorical = features.CategoricalRow(row),
                Label = encode(labels.Values[positions[i]]),
            };
        }

        var schema = MlNetFeatureRow.SizeSchema(SchemaDefinition.Create(typeof(TrainingRow<TLabel>)), features.Numeric.Length, features.Categorical.Length);
        if (labelType is not null)
        {
            schema[LabelColumn].ColumnType = labelType;
        }

        return ml.Data.LoadFromEnumerable(rows, schema);
    }
}

/// <summary>A training row: the runtime's two feature vectors and a label.</summary>
internal sealed class TrainingRow<TLabel>
{
    public float[] Numeric { get; set; } = [];

    public string[] Categorical { get; set; } = [];

    public TLabel Label { get; set; } = default!;
}
