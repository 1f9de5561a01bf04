using System.Text.Json;
using Kiln.Core.Monitoring;

namespace Kiln.Storage.Tests.Monitoring;

/// <summary>
/// Requests for store tests. A single row is logged as the one-row JSON blob an upgraded log holds
/// (<see cref="PredictionBlob"/>), so its text comes back exactly and it survives a PostgreSQL migration down and up;
/// several rows are logged as the columnar blob the writer builds.
/// </summary>
internal static class LoggedRows
{
    public static LoggedRequest One(PredictionRow row)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WritePropertyName("inputs");
            json.WriteRawValue(row.InputsJson);
            json.WritePropertyName("outputs");
            json.WriteRawValue(row.OutputsJson);
            json.WriteString("prediction", row.Prediction);
            if (row.Score is { } score && double.IsFinite(score))
            {
                json.WriteNumber("score", score);
            }
            else
            {
                json.WriteNull("score");
            }

            json.WriteString("positive_label", row.PositiveLabel);
            json.WriteEndObject();
        }

        var task = PredictionTasks.Of(row.PositiveLabel is not null, row.Prediction is not null, row.Score is { } s && double.IsFinite(s));
        return new LoggedRequest(0, row.Timestamp, row.Deployment, row.Variant, row.ModelName, row.ModelVersion, row.RequestId, row.Row, 1, row.LatencyMs, task, stream.ToArray());
    }

    /// <summary>A binary classifier's request of <paramref name="ages"/>.Length rows: feature "age", output "p" labelled no/yes, score = yes.</summary>
    public static LoggedRequest Binary(string requestId, DateTimeOffset at, params double[] ages)
    {
        var blob = new PredictionBlobWriter();
        blob.Begin(ages.Length, "yes");
        var scores = ages.Select(a => a / 100).ToArray();
        foreach (var score in scores)
        {
            blob.Prediction(score >= 0.5 ? "yes" : "no");
        }

        foreach (var score in scores)
        {
            blob.Score(score);
        }

        blob.BeginFields(1);
        blob.Field("age", PredictionBlobShape.Value, 1, null, PredictionBlobType.Float64);
        blob.Values<double>(ages);
        blob.BeginFields(1);
        blob.Field("p", PredictionBlobShape.Labelled, 2, ["no", "yes"], PredictionBlobType.Float32);
        foreach (var score in scores)
        {
            blob.Value((float)(1 - score));
            blob.Value((float)score);
        }

        return new LoggedRequest(0, at, "bank", "primary", "m", 1, requestId, 0, ages.Length, 2.5, PredictionTask.Binary, blob.ToArray());
    }
}
