using System.Diagnostics;
using System.Globalization;
using Kiln.Core.Monitoring;
using Kiln.Core.Packaging;
using Kiln.Core.Tensors;
using Kiln.Monitoring.Drift;
using Kiln.Monitoring.PredictionLog;

namespace Kiln.ReportBench;

/// <summary>
/// Writes the benchmark's prediction log straight into the server's database through the stores the
/// server itself uses (taken from its container): <see cref="IPredictionLogStore.AppendAsync"/> for the
/// requests (encoded by the writer's own <see cref="PredictionBlobEncoder"/>; SQLite: one prepared INSERT per request in a
/// transaction; PostgreSQL: one binary COPY per batch),
/// <see cref="IGroundTruthStore.ApplyAsync"/> for the labels (the real join by request id and row), and
/// <see cref="LiveProfiles"/> over the <see cref="ISketchStore"/> for the per-minute sketches. Each minute
/// is one 1000-row request, scored at the minute's start.
/// </summary>
public sealed class LogFiller(IPredictionLogStore log, IGroundTruthStore truth, ISketchStore sketches, ModelSignature signature, string deployment, string model, int version)
{
    public const int AppendBatch = 5_000;
    public const int LabelBatch = 10_000;

    private static readonly string[] Classes = ["0", "1"];

    public sealed record Timings(TimeSpan Rows, TimeSpan Sketches, TimeSpan Labels, long RowCount, long Labelled);

    /// <summary>Logs <paramref name="rowsPerMinute"/> rows for each of <paramref name="minutes"/> minutes from <paramref name="start"/>, labelling the share <paramref name="labelledShare"/>.</summary>
    public async Task<Timings> FillAsync(DateTimeOffset start, int minutes, int rowsPerMinute, double labelledShare, Traffic traffic, TimeSpan profileBucket)
    {
        var profiles = new LiveProfiles(sketches, profileBucket);
        var encoder = new PredictionBlobEncoder();
        var pending = new List<LoggedRequest>();
        var pendingRows = 0;
        var labels = new List<GroundTruthLabel>();
        var rowsTime = new Stopwatch();
        var sketchTime = new Stopwatch();
        long rowCount = 0;
        for (var m = 0; m < minutes; m++)
        {
            var features = new float[rowsPerMinute * Traffic.Features];
            var scores = new float[rowsPerMinute];
            var actual = new bool[rowsPerMinute];
            traffic.Fill(m, features, scores, actual);
            var minuteStart = start.AddMinutes(m);
            var requestId = string.Create(CultureInfo.InvariantCulture, $"p6-{m:D5}");
            var predicted = new long[rowsPerMinute];
            var probabilities = new float[rowsPerMinute * 2];
            for (var r = 0; r < rowsPerMinute; r++)
            {
                predicted[r] = scores[r] > 0.5f ? 1 : 0;
                probabilities[(r * 2) + 1] = scores[r];
                probabilities[r * 2] = 1 - scores[r];
                if (Labelled(m, r, labelledShare))
                {
                    labels.Add(new GroundTruthLabel(requestId, r, actual[r] ? "1" : "0"));
                }
            }

            rowCount += rowsPerMinute;
            var record = Record(requestId, minuteStart, features, predicted, probabilities, rowsPerMinute);
            rowsTime.Start();
            pending.Add(encoder.Encode(record));
            pendingRows += rowsPerMinute;
            if (pendingRows >= AppendBatch)
            {
                await log.AppendAsync(pending, CancellationToken.None);
                pending.Clear();
                pendingRows = 0;
            }

            rowsTime.Stop();
            sketchTime.Start();
            profiles.Observe(record);
            if (m % 60 == 59)
            {
                await profiles.FlushAsync(CancellationToken.None);
            }

            sketchTime.Stop();
        }

        rowsTime.Start();
        await log.AppendAsync(pending, CancellationToken.None);
        rowsTime.Stop();
        sketchTime.Start();
        await profiles.FlushAsync(CancellationToken.None);
        sketchTime.Stop();

        var labelTime = Stopwatch.StartNew();
        var labelledAt = start.AddMinutes(minutes + 5);
        for (var i = 0; i < labels.Count; i += LabelBatch)
        {
            var batch = labels.GetRange(i, Math.Min(LabelBatch, labels.Count - i));
            var result = await truth.ApplyAsync(deployment, batch, labelledAt, TimeSpan.FromDays(7), CancellationToken.None);
            if (result.Accepted != batch.Count)
            {
                throw new InvalidOperationException($"Ground truth joined {result.Accepted} of {batch.Count} labels ({result.Unknown} unknown, {result.Duplicates} duplicates).");
            }
        }

        labelTime.Stop();
        return new Timings(rowsTime.Elapsed, sketchTime.Elapsed, labelTime.Elapsed, rowCount, labels.Count);
    }

    /// <summary>A deterministic, well-spread choice of the labelled rows.</summary>
    private static bool Labelled(int minute, int row, double share) =>
        (uint)((((long)minute * 1_000_003) + row) * 2_654_435_761L) % 1000 < share * 1000;

    private PredictionRecord Record(string requestId, DateTimeOffset at, float[] features, long[] predicted, float[] probabilities, int rows)
    {
        var input = signature.Inputs[0];
        var labelOutput = signature.Outputs.FirstOrDefault(o => o.DataType != TensorDataType.Fp32)?.Name ?? "output_label";
        var probabilityOutput = signature.Outputs.FirstOrDefault(o => o.DataType == TensorDataType.Fp32)?.Name ?? "output_probability";
        var batch = new InferenceBatch([new Tensor(input.Name, TensorDataType.Fp32, [rows, Traffic.Features], features, features.Length)], rows);
        var result = new InferenceResult(
        [
            new Tensor(labelOutput, TensorDataType.Int64, [rows], predicted, rows),
            new Tensor(probabilityOutput, TensorDataType.Fp32, [rows, 2], probabilities, probabilities.Length) { Labels = Classes },
        ]);
        return new PredictionRecord(requestId, deployment, "primary", model, version, at, 1.5, batch, result, signature);
    }
}
