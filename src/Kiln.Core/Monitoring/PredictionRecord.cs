using Kiln.Core.Packaging;
using Kiln.Core.Tensors;

namespace Kiln.Core.Monitoring;

/// <summary>
/// One scored request on its way to the prediction log: the decoded inputs and the outputs as the
/// serving path produced them, with who served it and how long it took. The writer expands it
/// into one <see cref="PredictionRow"/> per row, off the request path.
/// </summary>
/// <param name="RequestId">The client's request id (V2 <c>id</c>) or the generated <c>Kiln-Request-Id</c>.</param>
/// <param name="Deployment">The deployment that answered.</param>
/// <param name="Variant">The variant within the deployment.</param>
/// <param name="ModelName">The registered model.</param>
/// <param name="ModelVersion">The model version that scored the rows.</param>
/// <param name="Timestamp">When the request was scored.</param>
/// <param name="LatencyMs">Decode + score time in milliseconds.</param>
/// <param name="Inputs">The decoded input batch.</param>
/// <param name="Outputs">The model's outputs for the batch.</param>
/// <param name="Signature">The serving model's signature: names the columns of tabular inputs.</param>
/// <param name="FirstRow">The first row's index within the request: 0 online; a batch logs its rows in blocks addressed by their row in the batch.</param>
public sealed record PredictionRecord(
    string RequestId,
    string Deployment,
    string Variant,
    string ModelName,
    int ModelVersion,
    DateTimeOffset Timestamp,
    double LatencyMs,
    InferenceBatch Inputs,
    InferenceResult Outputs,
    ModelSignature Signature,
    int FirstRow = 0)
{
    /// <summary>How many rows the record holds.</summary>
    public int Rows => Inputs.Rows;
}
