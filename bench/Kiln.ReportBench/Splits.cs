using System.Diagnostics;
using System.Globalization;
using Kiln.Core.Monitoring;
using Kiln.Core.Packaging;
using Kiln.Monitoring.Quality;
using Kiln.Monitoring.Sketches;
using Kiln.Monitoring.Statistics;
using Kiln.Storage.Monitoring;

namespace Kiln.ReportBench;

/// <summary>
/// Where a report's time goes: the stages QualityReports and DriftReports run, called one by one
/// in this process on the same database (what the HTTP time adds on top is routing, the
/// writer flush and JSON).
/// </summary>
public static class Splits
{
    /// <summary>Times each stage; then <paramref name="plan"/> prints the database's plans for the quality queries.</summary>
    public static async Task RunAsync(IQualityDataSource truth, ISketchStore sketches, DataProfile reference, string deployment, DateTimeOffset since, DateTimeOffset until, int runs, Func<Task> plan)
    {
        var sketchRead = $"drift: {sketches.GetType().Name}.ReadAsync";
        var stages = new Dictionary<string, List<double>>();
        void Add(string stage, Stopwatch clock)
        {
            (stages.TryGetValue(stage, out var list) ? list : stages[stage] = []).Add(clock.Elapsed.TotalMilliseconds);
        }

        long labelledRows = 0, buckets = 0, minutes = 0;
        for (var run = 0; run <= runs; run++)
        {
            var clock = Stopwatch.StartNew();
            var task = await truth.DetectTaskAsync(deployment, since, until, CancellationToken.None);
            Add("quality: DetectTaskAsync", clock);
            clock.Restart();
            var first = DateTimeOffset.FromUnixTimeMilliseconds((since.ToUnixTimeMilliseconds() + 59_999) / 60_000 * 60_000);
            var end = DateTimeOffset.FromUnixTimeMilliseconds(until.ToUnixTimeMilliseconds() / 60_000 * 60_000);
            var summaries = await truth.ReadSummariesAsync(deployment, first, end, null, CancellationToken.None);
            Add("quality: ReadSummariesAsync (stored minutes)", clock);
            clock.Restart();
            QualityCalculator.Compute(task, summaries, since, until, TimeSpan.FromHours(1));
            Add("quality: QualityCalculator.Compute (window=1h, from minutes)", clock);
            clock.Restart();
            var labelled = await truth.ReadLabelledAsync(deployment, since, until, null, task, last: null, CancellationToken.None);
            Add("row path, for comparison: ReadLabelledAsync (labelled rows)", clock);
            clock.Restart();
            var counts = await truth.CountAsync(deployment, since, until, TimeSpan.FromHours(1), null, CancellationToken.None);
            Add("row path, for comparison: CountAsync (per 1h window)", clock);
            clock.Restart();
            QualityCalculator.Compute(task, QualityCalculator.Bucket(task, labelled, counts, 3_600_000), since, until, TimeSpan.FromHours(1));
            Add("row path, for comparison: Bucket + Compute (window=1h)", clock);
            clock.Restart();
            var stored = await sketches.ReadAsync(deployment, since, until, null, CancellationToken.None);
            Add(sketchRead, clock);
            clock.Restart();
            var parsed = stored.Select(s => ProfileSketch.FromBytes(s.Data)).ToArray();
            Add("drift: ProfileSketch.FromBytes (all buckets)", clock);
            clock.Restart();
            var merged = parsed[0];
            foreach (var sketch in parsed.Skip(1))
            {
                merged.Merge(sketch);
            }

            Add("drift: ProfileSketch.Merge (all buckets)", clock);
            clock.Restart();
            DriftDetector.Dataset(reference, merged, new DriftOptions());
            Add("drift: DriftDetector.Dataset", clock);
            labelledRows = labelled.Count;
            buckets = stored.Count;
            minutes = summaries.Count;
            if (run == 0)
            {
                stages.Clear(); // the first round warms up
            }
        }

        Console.WriteLine($"In-process stage times ({runs} runs after 1 warm-up; {labelledRows:N0} labelled rows, {minutes:N0} quality minutes, {buckets:N0} sketch buckets):");
        Console.WriteLine();
        Console.WriteLine("| stage | min ms | median ms | max ms |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var (stage, times) in stages)
        {
            var sorted = times.Order().ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {stage} | {sorted[0]:0.0} | {sorted[sorted.Length / 2]:0.0} | {sorted[^1]:0.0} |"));
        }

        Console.WriteLine();
        await plan();
    }

    /// <summary>SQLite's plans for the two quality queries.</summary>
    public static async Task SqlitePlanAsync(MonitoringDatabase database, string deployment, DateTimeOffset since, DateTimeOffset until)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        foreach (var sql in new[]
        {
            "SELECT ts, labelled_at, version, score, label_num, prediction = positive_label, label = positive_label, NULL, NULL FROM prediction_labels WHERE deployment = $d AND ts >= $s AND ts < $u ORDER BY ts",
            "SELECT sum(row_count), MIN(version), MAX(version) FROM prediction_requests WHERE deployment = $d AND ts >= $s AND ts < $u",
        })
        {
            using var command = connection.CreateCommand();
            command.CommandText = "EXPLAIN QUERY PLAN " + sql;
            command.Parameters.AddWithValue("$d", deployment);
            command.Parameters.AddWithValue("$s", since.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$u", until.ToUnixTimeMilliseconds());
            await using var reader = await command.ExecuteReaderAsync();
            var plan = new List<string>();
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(3));
            }

            Console.WriteLine($"# plan: {string.Join("; ", plan)}  <- {sql[..Math.Min(60, sql.Length)]}...");
        }
    }
}
