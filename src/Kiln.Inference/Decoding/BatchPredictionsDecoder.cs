using System.Text.Json;
using Kiln.Core;
using Kiln.Core.Packaging;
using Kiln.Core.Tensors;

namespace Kiln.Inference.Decoding;

/// <summary>Who scored a batch's rows and where they sit in it: the head of a batch-predictions body.</summary>
/// <param name="Model">The registered model.</param>
/// <param name="Version">The version that scored the rows.</param>
/// <param name="Id">The batch id (the request id ground truth addresses the rows by).</param>
/// <param name="FirstRow">The first row's index within the batch.</param>
public sealed record BatchPredictionsHeader(string Model, int Version, string Id, int FirstRow);

/// <summary>
/// Reads the body <c>kiln batch --log</c> sends: <c>model_name</c>, <c>model_version</c>, <c>id</c>, <c>first_row</c>,
/// the rows' <c>inputs</c> as an Open Inference Protocol v2 request has them, and the model's outputs for them as v2
/// output tensors under <c>predictions</c>.
/// </summary>
public static class BatchPredictionsDecoder
{
    private const int MaxIdLength = 256;

    public static BatchPredictionsHeader ReadHeader(ReadOnlyMemory<byte> body)
    {
        using var document = JsonBodies.Parse(body);
        var root = JsonBodies.RequireObject(document.RootElement, "body");
        var model = JsonBodies.OptionalString(root, "model_name", "model_name") ?? throw KilnException.Invalid("model_name", "is required: the registered model that scored the rows.");
        var version = root.TryGetProperty("model_version", out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var number) && number > 0
            ? number
            : throw KilnException.Invalid("model_version", "is required: the version number that scored the rows.");
        var id = JsonBodies.OptionalString(root, "id", "id") switch
        {
            null or "" => throw KilnException.Invalid("id", "is required: the batch id, which ground truth addresses the rows by."),
            { Length: > MaxIdLength } => throw KilnException.Invalid("id", $"is longer than {MaxIdLength} characters."),
            var text => text,
        };
        var firstRow = root.TryGetProperty("first_row", out var f) && f.ValueKind == JsonValueKind.Number && f.TryGetInt32(out var first) && first >= 0
            ? first
            : throw KilnException.Invalid("first_row", "is required: the index of the first row within the batch, 0 or more.");
        return new BatchPredictionsHeader(model, version, id, firstRow);
    }

    public static (InferenceBatch Inputs, InferenceResult Outputs) Decode(ReadOnlyMemory<byte> body, ModelSignature signature, int firstRow, int maxRows)
    {
        var inputs = V2RequestDecoder.Decode(body, new InputLayout(signature)).Batch;
        if (inputs.Rows > maxRows)
        {
            throw KilnException.Invalid("inputs", $"holds {inputs.Rows} rows; send at most {maxRows} per request.");
        }

        if ((long)firstRow + inputs.Rows > int.MaxValue)
        {
            throw KilnException.Invalid("first_row", "with the rows sent, passes the largest row index the log keeps (2^31 − 1).");
        }

        using var document = JsonBodies.Parse(body);
        var predictions = document.RootElement.TryGetProperty("predictions", out var p)
            ? p
            : throw KilnException.Invalid("predictions", "is required: the model's outputs for the rows, as v2 tensors.");
        return (inputs, V2OutputDecoder.Decode(predictions, signature, inputs.Rows, "predictions"));
    }
}
