using Kiln.Batch.Input;
using Kiln.Inference.Decoding;

namespace Kiln.Batch.Scoring;

/// <summary>
/// Which column of one input file feeds each field the model needs and each column the output keeps, and the
/// compact "slot" numbering of just those columns that a CSV chunk stores cells for.
/// </summary>
internal sealed class ColumnBinding
{
    private ColumnBinding(int[] fieldColumns, int[] keptColumns, int[] slots, int slotCount)
    {
        FieldColumns = fieldColumns;
        KeptColumns = keptColumns;
        Slots = slots;
        SlotCount = slotCount;
    }

    /// <summary>The file column of each of the layout's required fields, in the layout's order.</summary>
    public int[] FieldColumns { get; }

    /// <summary>The file column of each kept column, in the order asked for.</summary>
    public int[] KeptColumns { get; }

    /// <summary>For each file column, its slot among the used columns, or -1 when nothing uses it.</summary>
    public int[] Slots { get; }

    public int SlotCount { get; }

    public static ColumnBinding Bind(InputFile file, InputLayout layout, IReadOnlyList<string> keep)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var c = 0; c < file.Columns.Count; c++)
        {
            index[file.Columns[c]] = c;
        }

        var fields = layout.RequiredFields;
        var fieldColumns = new int[fields.Count];
        var missing = new List<string>();
        for (var f = 0; f < fields.Count; f++)
        {
            if (fields[f].Width != 1)
            {
                var input = layout.Inputs[fields[f].InputIndex].Spec;
                throw new Core.KilnException(
                    $"model: input '{input.Name}' takes {fields[f].Width} values per row and has no column names, so no table column can feed it; register the model with its feature names (--feature-names) to score files with it.");
            }

            if (index.TryGetValue(fields[f].Name, out var column))
            {
                fieldColumns[f] = column;
            }
            else
            {
                missing.Add(fields[f].Name);
            }
        }

        if (missing.Count > 0)
        {
            throw new Core.KilnException(
                $"input: {file.Name} has no column {string.Join(", ", missing.Select(m => $"'{m}'"))}, which the model needs (it reads: {layout.DescribeFields()}; the file has: {Describe(file.Columns)}).");
        }

        var keptColumns = new int[keep.Count];
        for (var k = 0; k < keep.Count; k++)
        {
            keptColumns[k] = index.TryGetValue(keep[k], out var column)
                ? column
                : throw new Core.KilnException($"keep-columns: {file.Name} has no column '{keep[k]}' (it has: {Describe(file.Columns)}).");
        }

        var slots = new int[file.Columns.Count];
        Array.Fill(slots, -1);
        var count = 0;
        foreach (var column in fieldColumns.Concat(keptColumns))
        {
            if (slots[column] < 0)
            {
                slots[column] = count++;
            }
        }

        return new ColumnBinding(fieldColumns, keptColumns, slots, count);
    }

    private static string Describe(IReadOnlyList<string> columns) =>
        columns.Count <= 30 ? string.Join(", ", columns) : string.Join(", ", columns.Take(30)) + $", … ({columns.Count} in all)";
}
