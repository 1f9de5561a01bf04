using System.Text;
using System.Text.Json;
using Kiln.Core;

namespace Kiln.Inference.Decoding;

/// <summary>
/// Decodes row-oriented payloads shared by KServe v1 and MLflow: a list of records
/// (<c>{"age": 41, ...}</c>), a list of rows of a single input (<c>[[1.0, 2.0], ...]</c>),
/// a column dictionary (<c>{"age": [41, 35]}</c>) and MLflow's <c>dataframe_split</c>.
/// </summary>
internal static class RecordDecoder
{
    /// <summary>Decodes a JSON array of instances: records, or rows of the model's single input.</summary>
    public static void DecodeInstances(BatchBuilder builder, JsonElement instances, string container)
    {
        JsonBodies.RequireArray(instances, container);
        var rows = instances.GetArrayLength();
        if (rows == 0)
        {
            throw KilnException.Invalid(container, "is empty.");
        }

        if (instances[0].ValueKind == JsonValueKind.Object)
        {
            DecodeRecords(builder, instances, container);
        }
        else
        {
            DecodeRowsOfSingleInput(builder, instances, container);
        }
    }

    private static void DecodeRecords(BatchBuilder builder, JsonElement instances, string container)
    {
        var naming = CompositeFormat.Parse(container + "[{0}].{1}");
        builder.BeginRows(instances.GetArrayLength(), container);
        var row = 0;
        foreach (var record in instances.EnumerateArray())
        {
            var field = $"{container}[{row}]";
            if (record.ValueKind != JsonValueKind.Object)
            {
                throw KilnException.Invalid(field, $"expected a record (JSON object) like the first row, got {ValueWriter.Describe(record)}.");
            }

            foreach (var property in record.EnumerateObject())
            {
                var slot = ResolveField(builder.Layout, property.Name, field);
                WriteFieldValue(builder, slot, row, property.Value, naming, field);
            }

            builder.EnsureRowComplete(row, field);
            row++;
        }
    }

    /// <summary>Rows given as arrays (or scalars) of the model's one input: a tensor whose first dimension is the row.</summary>
    private static void DecodeRowsOfSingleInput(BatchBuilder builder, JsonElement rows, string container)
    {
        var layout = builder.Layout;
        if (layout.Inputs.Length != 1)
        {
            throw KilnException.Invalid(container, $"rows given as arrays need a model with one input, but this model takes {layout.DescribeInputs()}; send records instead.");
        }

        var input = layout.Inputs[0];
        var shape = JsonNesting.InferShape(rows, container);
        var target = builder.BeginInput(input, shape, container);
        var sink = new TensorSink(target, input, container);
        JsonNesting.Flatten(rows, shape, container, ref sink);
    }

    /// <summary>Decodes a dictionary of columns (<c>{"age": [41, 35], ...}</c>), or of whole input tensors.</summary>
    public static void DecodeColumnDictionary(BatchBuilder builder, JsonElement columns, string container)
    {
        var layout = builder.Layout;
        if (columns.EnumerateObject().All(p => layout.TryGetInput(p.Name, out _)) && columns.EnumerateObject().Any())
        {
            foreach (var property in columns.EnumerateObject())
            {
                layout.TryGetInput(property.Name, out var input);
                var field = $"{container}.{property.Name}";
                var shape = JsonNesting.InferShape(property.Value, field);
                shape = shape.Length == 0 ? [1] : shape;
                var target = builder.BeginInput(input, shape, field);
                var sink = new TensorSink(target, input, field);
                JsonNesting.Flatten(property.Value, shape, field, ref sink);
            }

            return;
        }

        var rows = -1;
        var naming = CompositeFormat.Parse(container + ".{1}[{0}]");
        foreach (var property in columns.EnumerateObject())
        {
            var field = $"{container}.{property.Name}";
            var slot = ResolveField(layout, property.Name, container);
            JsonBodies.RequireArray(property.Value, field);
            var length = property.Value.GetArrayLength();
            if (rows < 0)
            {
                rows = length;
                builder.BeginRows(rows, field);
            }
            else if (length != rows)
            {
                throw KilnException.Invalid(field, $"has {length} values but the first column has {rows}.");
            }

            var row = 0;
            foreach (var value in property.Value.EnumerateArray())
            {
                WriteFieldValue(builder, slot, row++, value, naming, field);
            }
        }

        if (rows < 0)
        {
            throw KilnException.Invalid(container, "is empty.");
        }

        builder.EnsureRowComplete(rows - 1, container);
    }

    /// <summary>Decodes MLflow's <c>dataframe_split</c>: <c>{"columns": [...], "data": [[...], ...]}</c>.</summary>
    public static void DecodeSplit(BatchBuilder builder, JsonElement split, string container)
    {
        JsonBodies.RequireObject(split, container);
        if (!split.TryGetProperty("data", out var data))
        {
            throw KilnException.Invalid(container + ".data", "is required.");
        }

        if (!split.TryGetProperty("columns", out var columns) || columns.ValueKind == JsonValueKind.Null)
        {
            DecodeInstances(builder, data, container + ".data");
            return;
        }

        JsonBodies.RequireArray(columns, container + ".columns");
        JsonBodies.RequireArray(data, container + ".data");
        var slots = new FieldSlot[columns.GetArrayLength()];
        var c = 0;
        foreach (var column in columns.EnumerateArray())
        {
            if (column.ValueKind != JsonValueKind.String)
            {
                throw KilnException.Invalid($"{container}.columns[{c}]", "expected a column name (string).");
            }

            slots[c++] = ResolveField(builder.Layout, column.GetString()!, container + ".columns");
        }

        var rows = data.GetArrayLength();
        if (rows == 0)
        {
            throw KilnException.Invalid(container + ".data", "is empty.");
        }

        builder.BeginRows(rows, container + ".data");
        var naming = CompositeFormat.Parse(container + ".data[{0}] (column '{1}')");
        var r = 0;
        foreach (var row in data.EnumerateArray())
        {
            var field = $"{container}.data[{r}]";
            JsonBodies.RequireArray(row, field);
            if (row.GetArrayLength() != slots.Length)
            {
                throw KilnException.Invalid(field, $"has {row.GetArrayLength()} values but there are {slots.Length} columns.");
            }

            var i = 0;
            foreach (var value in row.EnumerateArray())
            {
                WriteFieldValue(builder, slots[i++], r, value, naming, field);
            }

            builder.EnsureRowComplete(r, field);
            r++;
        }
    }

    public static FieldSlot ResolveField(InputLayout layout, string name, string field)
    {
        if (layout.TryGetField(name, out var slot))
        {
            return slot;
        }

        throw KilnException.Invalid(field, $"unknown field '{V2RequestDecoder.Truncate(name)}' (expected: {layout.DescribeFields()}).");
    }

    private static void WriteFieldValue(BatchBuilder builder, FieldSlot slot, int row, JsonElement value, CompositeFormat naming, string field)
    {
        if (slot.Width == 1)
        {
            builder.WriteField(slot, row, 0, value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 1 ? value[0] : value, naming);
            return;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw KilnException.Invalid($"{field}.{slot.Name}", $"expected an array of {slot.Width} values, got {ValueWriter.Describe(value)}.");
        }

        var element = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (element == slot.Width)
            {
                throw KilnException.Invalid($"{field}.{slot.Name}", $"has more than {slot.Width} values.");
            }

            builder.WriteField(slot, row, element++, item, naming);
        }

        JsonNesting.EnsureCount(element, slot.Width, $"{field}.{slot.Name}");
    }
}
