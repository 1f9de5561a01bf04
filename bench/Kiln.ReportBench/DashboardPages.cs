using System.Diagnostics;
using Kiln.Core.Tracking;

namespace Kiln.ReportBench;

/// <summary>
/// The dashboard's speed target: every page within 300 ms on the server with 10,000 runs and 1M logged predictions.
/// Seeds the runs straight into the tracking store (one with a 10,000-step metric history), then times every page.
/// </summary>
internal static class DashboardPages
{
    public const int Runs = 10_000;
    public const int LongHistorySteps = 10_000;

    public static async Task<(string LongRun, IReadOnlyList<string> Compared, TimeSpan Took)> SeedRunsAsync(ITrackingStore tracking)
    {
        var clock = Stopwatch.StartNew();
        var experiment = await tracking.CreateExperimentAsync("dashboard-bench", null, CancellationToken.None);
        var random = new Random(7);
        string[] algorithms = ["logreg", "fasttree", "lightgbm"];
        var ids = new List<string>(Runs);
        for (var i = 0; i < Runs; i++)
        {
            var run = await tracking.CreateRunAsync(experiment.Id, $"trial-{i}", null, CancellationToken.None);
            var now = DateTimeOffset.UtcNow;
            await tracking.LogAsync(run.Id, new RunLog(
                [
                    new MetricPoint("auc", 0.6 + (random.NextDouble() * 0.2), now, 0),
                    new MetricPoint("accuracy", 0.8 + (random.NextDouble() * 0.1), now, 0),
                    new MetricPoint("log_loss", 0.3 + (random.NextDouble() * 0.2), now, 0),
                ],
                new Dictionary<string, string>
                {
                    ["algorithm"] = algorithms[i % 3],
                    ["learning_rate"] = (0.05 * (1 + (i % 4))).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["seed"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                }), CancellationToken.None);
            await tracking.UpdateRunAsync(run.Id, RunStatus.Finished, null, CancellationToken.None);
            ids.Add(run.Id);
        }

        var start = DateTimeOffset.UtcNow;
        for (var step = 0; step < LongHistorySteps; step += 1_000)
        {
            var points = Enumerable.Range(step, 1_000).Select(s => new MetricPoint("loss", 1.0 / (1 + (s * 0.01)) + (random.NextDouble() * 0.01), start.AddMilliseconds(s), s)).ToArray();
            await tracking.LogAsync(ids[0], new RunLog(points), CancellationToken.None);
        }

        return (ids[0], ids.Take(10).ToArray(), clock.Elapsed);
    }

    /// <summary>Every page, timed like the reports (one warm-up, then N runs); the monitoring page over the whole logged range.</summary>
    public static async Task<List<ReportTimer.Result>> TimeAsync(ReportTimer timer, string deployment, string model, string longRun, IReadOnlyList<string> compared)
    {
        var compare = string.Join('&', compared.Select(id => "id=" + id));
        return
        [
            await timer.TimeAsync("dashboard: overview /", [""]),
            await timer.TimeAsync("dashboard: /deployments", ["deployments"]),
            await timer.TimeAsync("dashboard: deployment page", [$"deployments/{deployment}"]),
            await timer.TimeAsync("dashboard: quality and drift, range 1d, window 1h", [$"deployments/{deployment}/monitoring?range=1d&window=1h"]),
            await timer.TimeAsync("dashboard: quality and drift, range 1h, window 1m", [$"deployments/{deployment}/monitoring?range=1h&window=1m"]),
            await timer.TimeAsync("dashboard: runs (10k), newest first", ["runs"]),
            await timer.TimeAsync("dashboard: runs (10k), by metrics.auc, filtered", ["runs?order=metrics.auc%20DESC&filter=params.algorithm%20%3D%20%27lightgbm%27"]),
            await timer.TimeAsync("dashboard: run with a 10k-step metric", [$"runs/{longRun}"]),
            await timer.TimeAsync("dashboard: compare 10 runs", [$"runs/compare?{compare}"]),
            await timer.TimeAsync("dashboard: models", ["models"]),
            await timer.TimeAsync("dashboard: model version", [$"models/{model}/versions/1"]),
            await timer.TimeAsync("dashboard: alerts", ["alerts"]),
        ];
    }
}
