using Kiln.Training.Data;

namespace Kiln.Training.Training;

/// <summary>A model's input columns in table order, split into the numeric and the categorical vector.</summary>
internal sealed class FeatureSet
{
    public FeatureSet(IReadOnlyList<TabularColumn> columns)
    {
        All = columns.ToArray();
        Numeric = All.Where(c => c.Kind == ColumnKind.Numeric).ToArray();
        Categorical = All.Where(c => c.Kind == ColumnKind.Categorical).ToArray();
    }

    public TabularColumn[] All { get; }

    public TabularColumn[] Numeric { get; }

    public TabularColumn[] Categorical { get; }

    public float[] NumericRow(int row)
    {
        var values = new float[Numeric.Length];
        for (var s = 0; s < values.Length; s++)
        {
            values[s] = (float)Numeric[s].Numbers![row];
        }

        return values;
    }

    /// <summary>A row's categories; a missing one is the empty string, as the runtime sends it.</summary>
    public string[] CategoricalRow(int row)
    {
        var values = new string[Categorical.Length];
        for (var s = 0; s < values.Length; s++)
        {
            values[s] = Categorical[s].Values![row] ?? string.Empty;
        }

        return values;
    }
}
