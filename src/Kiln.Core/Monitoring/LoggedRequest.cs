namespace Kiln.Core.Monitoring;

/// <summary>
/// One scored request as the prediction log stores it: who served it, when, and every row's inputs, outputs and
/// reading in one columnar blob (<see cref="PredictionBlob"/>). The log stores and indexes requests, not rows, so a
/// 1000-row request costs one insert; each row still has its own id, <see cref="Id"/> + (row − <see cref="FirstRow"/>).
/// </summary>
/// <param name="Id">The first row's id in the log (0 before it is stored); the request's rows take the ids after it.</param>
/// <param name="Timestamp">When the request was scored.</param>
/// <param name="Deployment">The deployment that answered.</param>
/// <param name="Variant">The variant within the deployment.</param>
/// <param name="ModelName">The registered model.</param>
/// <param name="ModelVersion">The model version that scored the rows.</param>
/// <param name="RequestId">The request id the client can address ground truth by.</param>
/// <param name="FirstRow">The first row's index within the request (0, except for rows logged one by one before this layout).</param>
/// <param name="Rows">How many rows the request holds.</param>
/// <param name="LatencyMs">Decode + score time of the whole request, in milliseconds.</param>
/// <param name="Task">What its outputs are, so quality knows which metrics apply without opening the blob.</param>
/// <param name="Data">The rows, in <see cref="PredictionBlob"/>'s format.</param>
public sealed record LoggedRequest(
    long Id,
    DateTimeOffset Timestamp,
    string Deployment,
    string Variant,
    string ModelName,
    int ModelVersion,
    string RequestId,
    int FirstRow,
    int Rows,
    double LatencyMs,
    PredictionTask Task,
    byte[] Data)
{
    /// <summary>The rows of the request as the log's readers see them, with the labels found so far (by row id).</summary>
    public IEnumerable<PredictionRow> ToRows(IReadOnlyDictionary<long, (string Label, DateTimeOffset LabelledAt)>? labels = null)
    {
        var blob = PredictionBlob.Read(Data);
        for (var i = 0; i < blob.Rows; i++)
        {
            var id = Id + i;
            (string Label, DateTimeOffset LabelledAt)? label = labels is not null && labels.TryGetValue(id, out var found) ? found : null;
            yield return new PredictionRow(
                id,
                Timestamp,
                Deployment,
                Variant,
                ModelName,
                ModelVersion,
                RequestId,
                FirstRow + i,
                LatencyMs,
                blob.Prediction(i),
                blob.Score(i),
                blob.PositiveLabel,
                blob.InputsJson(i),
                blob.OutputsJson(i),
                label?.Label,
                label?.LabelledAt);
        }
    }
}
