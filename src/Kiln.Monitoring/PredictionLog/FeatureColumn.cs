using System.Text.Json;
using Kiln.Core.Packaging;

namespace Kiln.Monitoring.PredictionLog;

/// <summary>
/// One named feature of a model's input rows: a column of a tabular 2-D input, or a whole input
/// with one element per row. Inputs with many unnamed elements per row (images, embeddings) are
/// logged as arrays but have no feature columns, so drift does not try to profile pixels.
/// </summary>
/// <param name="Name">The feature's name, as in the training profile.</param>
/// <param name="Input">The input tensor's index in the batch.</param>
/// <param name="Offset">The element's offset within a row of that input.</param>
public sealed record FeatureColumn(string Name, int Input, int Offset)
{
    /// <summary>The name encoded once for JSON, so the prediction log's writer does not escape and transcode it on every row.</summary>
    public JsonEncodedText JsonName { get; } = JsonEncodedText.Encode(Name);

    /// <summary>The feature columns of a signature.</summary>
    public static IReadOnlyList<FeatureColumn> Of(ModelSignature signature)
    {
        var columns = new List<FeatureColumn>();
        for (var i = 0; i < signature.Inputs.Count; i++)
        {
            var spec = signature.Inputs[i];
            if (spec.Columns is { } names)
            {
                for (var c = 0; c < names.Count; c++)
                {
                    columns.Add(new FeatureColumn(names[c], i, c));
                }
            }
            else if (spec.Shape.Count <= 1 || (spec.Shape.Count == 2 && spec.Shape[1] == 1))
            {
                columns.Add(new FeatureColumn(spec.Name, i, 0));
            }
        }

        return columns;
    }
}
