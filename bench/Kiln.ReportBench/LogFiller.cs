using System.Diagnostics;
using System.Globalization;
using System.Text;
using Kiln.Core.Monitoring;
using Kiln.Core.Packaging;
using Kiln.Core.Tensors;
using Kiln.Monitoring.Drift;

namespace Kiln.ReportBench;

/// <summary>
/// Writes the benchmark's prediction log straight into the server's database through the stores the
/// server itself uses (taken from its container): <see cref="IPredictionLogStore.AppendAsync"/> for the
/// rows (SQLite: one prepared INSERT per row in a transaction; PostgreSQL: one binary COPY per batch),
/// <see cref="IGroundTruthStore.ApplyAsync"/> for the labels (the real join by request id and row), and
/// <see cref="LiveProfiles"/> over the <see cref="ISketchStore"/> for the per-minute sketches. Each minute
/// is one 1000-row request; its rows are spread over the minute, 60 ms apart.
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
        var pending = new List<PredictionRow>(AppendBatch + rowsPerMinute);
        var labels = new List<GroundTruthLabel>();
        var rowsTime = new Stopwatch();
        var sketchTime = new Stopwatch();
        var inputsJson = new StringBuilder(128);
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
                pending.Add(new PredictionRow(
                    0, minuteStart.AddMilliseconds(r * 60_000L / rowsPerMinute), deployment, "primary", model, version, requestId, r, 1.5,
                    Classes[predicted[r]], scores[r], "1", InputsJson(inputsJson, features.AsSpan(r * Traffic.Features, Traffic.Features)),
                    OutputsJson(predicted[r], probabilities[r * 2], probabilities[(r * 2) + 1])));
                if (Labelled(m, r, labelledShare))
                {
                    labels.Add(new GroundTruthLabel(requestId, r, actual[r] ? "1" : "0"));
                }
            }

            rowCount += rowsPerMinute;
            if (pending.Count >= AppendBatch)
            {
                rowsTime.Start();
                await log.AppendAsync(pending, CancellationToken.None);
                rowsTime.Stop();
                pending.Clear();
            }

            sketchTime.Start();
            profiles.Observe(Record(requestId, minuteStart.AddSeconds(30), features, predicted, probabilities, rowsPerMinute));
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

    private string InputsJson(StringBuilder json, ReadOnlySpan<float> row)
    {
        var names = signature.Inputs[0].Columns!;
        json.Clear().Append('{');
        for (var i = 0; i < row.Length; i++)
        {
            json.Append(i == 0 ? "\"" : ",\"").Append(names[i]).Append("\":").Append(row[i].ToString("R", CultureInfo.InvariantCulture));
        }

        return json.Append('}').ToString();
    }

    private static string OutputsJson(long label, float no, float yes) => string.Create(
        CultureInfo.InvariantCulture, $$$"""{"output_label":{{{label}}},"output_probability":{"0":{{{no:R}}},"1":{{{yes:R}}}}}""");
}
