using System.Text;
using System.Text.Json.Nodes;
using Kiln.Core.Tensors;
using Kiln.Inference.Decoding;

namespace Kiln.Inference.Tests.Support;

/// <summary>Builds the request bodies of every protocol from a golden case, for a model's input layout.</summary>
internal static class CaseRequests
{
    /// <summary>Open Inference Protocol v2, one tensor per graph input, data nested as in the case (or flat).</summary>
    public static byte[] V2Tensors(ExpectedCase c, InputLayout layout, bool flat = false)
    {
        var inputs = new JsonArray();
        foreach (var slot in layout.Inputs)
        {
            var data = c.Inputs[slot.Spec.Name]!;
            inputs.Add(new JsonObject
            {
                ["name"] = slot.Spec.Name,
                ["shape"] = Array(Json.ShapeOf(data).Select(d => JsonValue.Create(d))),
                ["datatype"] = slot.Spec.DataType.ToV2Name(),
                ["data"] = flat ? Array(Json.Leaves(data).Select(v => v.DeepClone())) : data.DeepClone(),
            });
        }

        return Utf8(new JsonObject { ["inputs"] = inputs });
    }

    /// <summary>Open Inference Protocol v2 in MLServer's pd style: one [N] input per record field.</summary>
    public static byte[] V2Columns(ExpectedCase c, InputLayout layout)
    {
        var (names, rows) = Records(c, layout);
        var inputs = new JsonArray();
        for (var f = 0; f < names.Length; f++)
        {
            var type = layout.Inputs[layout.RequiredFields[f].InputIndex].Spec.DataType;
            inputs.Add(new JsonObject
            {
                ["name"] = names[f],
                ["shape"] = new JsonArray(JsonValue.Create(rows.Length)),
                ["datatype"] = type.ToV2Name(),
                ["data"] = Array(rows.Select(r => r[f].DeepClone())),
            });
        }

        return Utf8(new JsonObject { ["inputs"] = inputs });
    }

    /// <summary>KServe v1 <c>{"instances": [{field: value, ...}, ...]}</c>.</summary>
    public static byte[] V1Records(ExpectedCase c, InputLayout layout) =>
        Utf8(new JsonObject { ["instances"] = RecordArray(c, layout) });

    /// <summary>MLflow <c>dataframe_split</c>.</summary>
    public static byte[] MlflowSplit(ExpectedCase c, InputLayout layout)
    {
        var (names, rows) = Records(c, layout);
        return Utf8(new JsonObject
        {
            ["dataframe_split"] = new JsonObject
            {
                ["columns"] = Array(names.Select(n => JsonValue.Create(n))),
                ["data"] = Array(rows.Select(r => Array(r.Select(v => v.DeepClone())))),
            },
        });
    }

    /// <summary>MLflow <c>dataframe_records</c>.</summary>
    public static byte[] MlflowRecords(ExpectedCase c, InputLayout layout) =>
        Utf8(new JsonObject { ["dataframe_records"] = RecordArray(c, layout) });

    /// <summary>MLflow <c>inputs</c> as a dictionary of columns, <c>{"age": [35.0, 58.0], ...}</c>.</summary>
    public static byte[] MlflowInputsDictionary(ExpectedCase c, InputLayout layout)
    {
        var (names, rows) = Records(c, layout);
        var columns = new JsonObject();
        for (var f = 0; f < names.Length; f++)
        {
            columns[names[f]] = Array(rows.Select(r => r[f].DeepClone()));
        }

        return Utf8(new JsonObject { ["inputs"] = columns });
    }

    /// <summary>MLflow <c>text/csv</c>: a header, then one line per row; strings quoted, numbers as in the case's JSON.</summary>
    public static byte[] Csv(ExpectedCase c, InputLayout layout)
    {
        var (names, rows) = Records(c, layout);
        var text = new StringBuilder();
        text.Append(string.Join(',', names)).Append("\r\n");
        foreach (var row in rows)
        {
            text.Append(string.Join(',', row.Select(CsvCell))).Append("\r\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>The case as records: the layout's required fields, and per row one JSON value per field.</summary>
    public static (string[] Names, JsonNode[][] Rows) Records(ExpectedCase c, InputLayout layout)
    {
        var fields = layout.RequiredFields;
        var rows = new JsonNode[c.Rows][];
        for (var r = 0; r < rows.Length; r++)
        {
            rows[r] = fields.Select(f =>
            {
                var row = c.Inputs[layout.Inputs[f.InputIndex].Spec.Name]![r]!;
                return f.Width == 1 ? row[f.Offset]! : row;
            }).ToArray();
        }

        return (fields.Select(f => f.Name).ToArray(), rows);
    }

    private static JsonArray RecordArray(ExpectedCase c, InputLayout layout)
    {
        var (names, rows) = Records(c, layout);
        var records = new JsonArray();
        foreach (var row in rows)
        {
            var record = new JsonObject();
            for (var f = 0; f < names.Length; f++)
            {
                record[names[f]] = row[f].DeepClone();
            }

            records.Add(record);
        }

        return records;
    }

    private static string CsvCell(JsonNode value) =>
        value.GetValueKind() == System.Text.Json.JsonValueKind.String
            ? "\"" + value.GetValue<string>().Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value.ToJsonString();

    private static JsonArray Array(IEnumerable<JsonNode?> items) => new(items.ToArray());

    private static byte[] Utf8(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());
}

/// <summary>Shapes and leaves of nested JSON arrays.</summary>
internal static class Json
{
    public static long[] ShapeOf(JsonNode node)
    {
        var shape = new List<long>();
        while (node is JsonArray array)
        {
            shape.Add(array.Count);
            if (array.Count == 0)
            {
                break;
            }

            node = array[0]!;
        }

        return shape.ToArray();
    }

    public static IEnumerable<JsonNode> Leaves(JsonNode node) =>
        node is JsonArray array ? array.SelectMany(item => Leaves(item!)) : [node];
}
