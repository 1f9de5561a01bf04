using Microsoft.ML;
using Microsoft.ML.Data;

namespace Kiln.Inference.MlNet;

/// <summary>
/// The one input row of every mlnet-flavor model: numeric features in a float vector and
/// categorical features in a text vector, each sized per model through <see cref="SchemaDefinition"/>.
/// A fixed row class lets one compiled <see cref="PredictionEngine{TSrc, TDst}"/> shape serve any
/// dataset; Kiln's named inputs are mapped onto the two vectors by <see cref="MlNetFlavorOptions"/>.
/// </summary>
public sealed class MlNetFeatureRow
{
    /// <summary>Name of the float vector column.</summary>
    public const string NumericColumn = nameof(Numeric);

    /// <summary>Name of the text vector column.</summary>
    public const string CategoricalColumn = nameof(Categorical);

    /// <summary>Numeric features in <see cref="MlNetFlavorOptions.NumericInputs"/> order; NaN is a missing value.</summary>
    public float[] Numeric { get; set; } = [];

    /// <summary>Categorical features in <see cref="MlNetFlavorOptions.CategoricalInputs"/> order; empty is a missing value.</summary>
    public string[] Categorical { get; set; } = [];

    /// <summary>
    /// Sizes the two vector columns of a schema made from a row type that has them (this class, or a
    /// training row that adds a label), and drops a vector that has no features.
    /// </summary>
    public static SchemaDefinition SizeSchema(SchemaDefinition schema, int numeric, int categorical)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Size(schema, NumericColumn, numeric, NumberDataViewType.Single);
        Size(schema, CategoricalColumn, categorical, TextDataViewType.Instance);
        return schema;
    }

    /// <summary>The schema of <see cref="MlNetFeatureRow"/> for a model with these feature counts.</summary>
    public static SchemaDefinition Schema(int numeric, int categorical) =>
        SizeSchema(SchemaDefinition.Create(typeof(MlNetFeatureRow)), numeric, categorical);

    private static void Size(SchemaDefinition schema, string name, int size, PrimitiveDataViewType itemType)
    {
        var column = schema.First(c => c.ColumnName == name);
        if (size == 0)
        {
            // ML.NET has no fixed-size empty vector; a model without such features never reads the column.
            schema.Remove(column);
            return;
        }

        column.ColumnType = new VectorDataViewType(itemType, size);
    }
}
