using Kiln.Inference.MlNet;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Kiln.Inference.Trees.MlNet;

/// <summary>
/// Learns what an mlnet model's featurizing transforms do by running them (ML.NET itself) on probe rows, rather than
/// by reading the transforms' private state: a row with every input missing gives the fill values; one row per numeric
/// input gives where it lands; one row per (categorical input, category in the model's vocabulary) gives its
/// indicator. Transforms that do anything else (scaling, hashing, text features) show up as a probe that does not
/// fit, and the model is left to ML.NET.
/// </summary>
internal static class MlNetFeaturizerProbe
{
    /// <summary>A numeric probe value no fill is likely to equal; each input gets its own.</summary>
    private const float NumericProbe = 123_456.5f;

    /// <summary>The featurizer of <paramref name="featurizer"/>; <paramref name="vocabulary"/> is every category its dictionaries know.</summary>
    public static MlNetFeaturizer Build(MLContext ml, ITransformer featurizer, DataViewSchema inputSchema, string featureColumn, MlNetInputMap map, out string[] vocabulary)
    {
        vocabulary = Vocabulary(featurizer.GetOutputSchema(inputSchema));
        var rows = new List<MlNetFeatureRow> { Row(map) };
        for (var s = 0; s < map.NumericCount; s++)
        {
            var row = Row(map);
            row.Numeric[s] = NumericProbe + s;
            rows.Add(row);
        }

        for (var s = 0; s < map.CategoricalCount; s++)
        {
            foreach (var category in vocabulary)
            {
                var row = Row(map);
                row.Categorical[s] = category;
                rows.Add(row);
            }
        }

        var features = Featurize(ml, featurizer, featureColumn, map, rows);
        var width = features[0].Length;
        var missing = features[0];
        var numericPosition = new int[map.NumericCount];
        var fill = new float[map.NumericCount];
        var isNumeric = new bool[width];
        for (var s = 0; s < numericPosition.Length; s++)
        {
            var changed = Changed(missing, features[1 + s]);
            if (changed.Length != 1 || features[1 + s][changed[0]] != NumericProbe + s)
            {
                throw new TreeEngineNotCoveredException($"numeric input {s} is transformed beyond filling a missing value (it changes {changed.Length} features)");
            }

            var position = changed[0];
            if (isNumeric[position] || float.IsNaN(missing[position]))
            {
                throw new TreeEngineNotCoveredException($"numeric input {s} shares its feature or has no fill for a missing value");
            }

            isNumeric[position] = true;
            numericPosition[s] = position;
            fill[s] = missing[position];
        }

        for (var f = 0; f < width; f++)
        {
            if (!isNumeric[f] && missing[f] != 0f)
            {
                throw new TreeEngineNotCoveredException($"feature {f} is {missing[f]} for a row of missing values, which no one-hot indicator is");
            }
        }

        var categoryPosition = new Dictionary<string, int>[map.CategoricalCount];
        var next = 1 + map.NumericCount;
        for (var s = 0; s < categoryPosition.Length; s++)
        {
            categoryPosition[s] = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var category in vocabulary)
            {
                var probe = features[next++];
                var changed = Changed(missing, probe);
                if (changed.Length > 1 || (changed.Length == 1 && (probe[changed[0]] != 1f || isNumeric[changed[0]])))
                {
                    throw new TreeEngineNotCoveredException($"categorical input {s} is encoded other than as one-hot indicators");
                }

                if (changed.Length == 1)
                {
                    categoryPosition[s][category] = changed[0];
                }
            }
        }

        return new MlNetFeaturizer(width, numericPosition, fill, categoryPosition);
    }

    /// <summary>Runs ML.NET's featurizer on <paramref name="rows"/>: each row's feature vector, dense.</summary>
    public static float[][] Featurize(MLContext ml, ITransformer featurizer, string featureColumn, MlNetInputMap map, IReadOnlyList<MlNetFeatureRow> rows)
    {
        var view = featurizer.Transform(ml.Data.LoadFromEnumerable(rows, MlNetFeatureRow.Schema(map.NumericCount, map.CategoricalCount)));
        var column = view.Schema.GetColumnOrNull(featureColumn);
        if (column is not { Type: VectorDataViewType { ItemType: NumberDataViewType, Size: > 0 } vector } || vector.ItemType != NumberDataViewType.Single)
        {
            throw new TreeEngineNotCoveredException($"the trees read '{featureColumn}' as {column?.Type.ToString() ?? "nothing"}, not a fixed-size float vector");
        }

        var result = new float[rows.Count][];
        using var cursor = view.GetRowCursor([column.Value]);
        var getter = cursor.GetGetter<VBuffer<float>>(column.Value);
        VBuffer<float> buffer = default;
        for (var r = 0; cursor.MoveNext(); r++)
        {
            getter(ref buffer);
            result[r] = new float[vector.Size];
            buffer.CopyTo(result[r]);
        }

        return result;
    }

    /// <summary>A row with every input missing: NaN numbers, empty categories.</summary>
    private static MlNetFeatureRow Row(MlNetInputMap map) => new()
    {
        Numeric = Enumerable.Repeat(float.NaN, map.NumericCount).ToArray(),
        Categorical = Enumerable.Repeat(string.Empty, map.CategoricalCount).ToArray(),
    };

    /// <summary>The features where <paramref name="probe"/> differs from <paramref name="missing"/> (bit for bit).</summary>
    private static int[] Changed(float[] missing, float[] probe) =>
        Enumerable.Range(0, missing.Length).Where(f => BitConverter.SingleToInt32Bits(missing[f]) != BitConverter.SingleToInt32Bits(probe[f])).ToArray();

    /// <summary>Every text value a key column of the featurizer knows (the one-hot dictionaries), in no particular order.</summary>
    private static string[] Vocabulary(DataViewSchema schema)
    {
        var terms = new HashSet<string>(StringComparer.Ordinal);
        for (var c = 0; c < schema.Count; c++)
        {
            var column = schema[c];
            if (!column.HasKeyValues())
            {
                continue;
            }

            if (column.Annotations.Schema["KeyValues"].Type is not VectorDataViewType { ItemType: TextDataViewType })
            {
                throw new TreeEngineNotCoveredException($"column '{column.Name}' has keys that are not text");
            }

            VBuffer<ReadOnlyMemory<char>> values = default;
            column.GetKeyValues(ref values);
            foreach (var value in values.DenseValues())
            {
                terms.Add(value.ToString());
            }
        }

        return terms.Order(StringComparer.Ordinal).ToArray();
    }
}
