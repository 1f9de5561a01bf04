using System.Globalization;
using System.Text;
using System.Text.Json;
using Kiln.Client;
using Kiln.Core.Api;
using Kiln.Training.Demo;

namespace Kiln.Cli.Quickstart;

/// <summary>
/// The quickstart's client traffic, like Cloudera ML's model simulation: a steady stream of
/// MLflow-records requests drawn from the demo generator, the true outcome of most of them sent
/// later as ground truth, and a drift episode (a new customer segment) after a few minutes, so
/// metrics, quality, drift and an alert all have something true to show.
/// </summary>
internal sealed class TrafficSimulator(HttpClient http, KilnClient client, string deployment, TrafficPlan plan)
{
    private readonly List<(string RequestId, int Rows, string[] Labels, DateTimeOffset SentAt)> _pending = [];
    private long _requests;
    private long _failures;

    public long Requests => Interlocked.Read(ref _requests);

    public long Failures => Interlocked.Read(ref _failures);

    public long LabelsSent { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var steady = BankMarketingGenerator.Generate(int.MaxValue, seed: 7, drift: 0).GetEnumerator();
        using var drifted = BankMarketingGenerator.Generate(int.MaxValue, seed: 8, drift: plan.DriftStrength).GetEnumerator();
        var random = new Random(9);
        var started = DateTimeOffset.UtcNow;
        var lastLabels = started;
        var interval = TimeSpan.FromSeconds(1.0 / plan.RequestsPerSecond);
        using var timer = new PeriodicTimer(interval);
        var sequence = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var elapsed = DateTimeOffset.UtcNow - started;
                var sampler = elapsed >= plan.DriftAfter && elapsed < plan.DriftAfter + plan.DriftFor ? drifted : steady;
                var rows = new BankMarketingRow[plan.RowsPerRequest];
                for (var i = 0; i < rows.Length; i++)
                {
                    sampler.MoveNext();
                    rows[i] = sampler.Current;
                }

                var requestId = $"sim-{started.ToUnixTimeSeconds()}-{sequence++}";
                await SendAsync(requestId, rows, cancellationToken);
                if (random.NextDouble() < plan.LabelledShare)
                {
                    _pending.Add((requestId, rows.Length, rows.Select(r => r.Y).ToArray(), DateTimeOffset.UtcNow));
                }

                if (DateTimeOffset.UtcNow - lastLabels >= TimeSpan.FromSeconds(10))
                {
                    await SendLabelsAsync(cancellationToken);
                    lastLabels = DateTimeOffset.UtcNow;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped with the quickstart.
        }
    }

    private async Task SendAsync(string requestId, BankMarketingRow[] rows, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"deployments/{Uri.EscapeDataString(deployment)}/invocations")
        {
            Content = new StringContent(Records(rows), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Kiln-Request-Id", requestId);
        Interlocked.Increment(ref _requests);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref _failures);
            }
        }
        catch (HttpRequestException)
        {
            Interlocked.Increment(ref _failures);
        }
    }

    /// <summary>Ground truth arrives later: the outcomes of requests at least <see cref="TrafficPlan.LabelDelay"/> old.</summary>
    private async Task SendLabelsAsync(CancellationToken cancellationToken)
    {
        var due = DateTimeOffset.UtcNow - plan.LabelDelay;
        var ready = _pending.Where(p => p.SentAt <= due).ToArray();
        if (ready.Length == 0)
        {
            return;
        }

        _pending.RemoveAll(p => p.SentAt <= due);
        var labels = new List<GroundTruthItem>();
        foreach (var (requestId, rows, values, _) in ready)
        {
            for (var row = 0; row < rows; row++)
            {
                labels.Add(new GroundTruthItem(requestId, row, Label(values[row])));
            }
        }

        try
        {
            await client.SendGroundTruthAsync(deployment, labels, cancellationToken);
            LabelsSent += labels.Count;
        }
        catch (KilnApiException)
        {
            // The server said no (e.g. while restarting); these labels are skipped, the stream goes on.
        }
    }

    private static JsonElement Label(string value)
    {
        using var document = JsonDocument.Parse("\"" + JsonEncodedText.Encode(value) + "\"");
        return document.RootElement.Clone();
    }

    private static string Records(BankMarketingRow[] rows)
    {
        var json = new StringBuilder("{\"dataframe_records\": [");
        for (var i = 0; i < rows.Length; i++)
        {
            var r = rows[i];
            json.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture,
                $$"""{"age": {{r.Age}}, "job": "{{r.Job}}", "marital": "{{r.Marital}}", "education": "{{r.Education}}", "default": "{{r.Default}}", "balance": {{r.Balance}}, "housing": "{{r.Housing}}", "loan": "{{r.Loan}}", "contact": "{{r.Contact}}", "day": {{r.Day}}, "month": "{{r.Month}}", "campaign": {{r.Campaign}}, "pdays": {{r.Pdays}}, "previous": {{r.Previous}}, "poutcome": "{{r.Poutcome}}"}""");
        }

        return json.Append("]}").ToString();
    }
}

/// <summary>How the quickstart's simulated clients behave.</summary>
/// <param name="RequestsPerSecond">Requests per second.</param>
/// <param name="RowsPerRequest">Rows per request.</param>
/// <param name="LabelledShare">Share of requests whose outcome is later sent as ground truth.</param>
/// <param name="LabelDelay">How long after the prediction its outcome is known.</param>
/// <param name="DriftAfter">When the drift episode starts.</param>
/// <param name="DriftFor">How long it lasts.</param>
/// <param name="DriftStrength">How strongly the new segment differs (the generator's drift, 0–1).</param>
internal sealed record TrafficPlan(
    double RequestsPerSecond,
    int RowsPerRequest,
    double LabelledShare,
    TimeSpan LabelDelay,
    TimeSpan DriftAfter,
    TimeSpan DriftFor,
    double DriftStrength)
{
    public static TrafficPlan Default { get; } = new(8, 4, 0.8, TimeSpan.FromSeconds(20), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(2), 2.0);
}
