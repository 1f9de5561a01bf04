using System.Text.Json;
using Kiln.Core;
using Kiln.Core.Api;
using Kiln.Core.Monitoring;
using Kiln.Core.Security;
using Kiln.Monitoring.PredictionLog;
using Kiln.Server.Configuration;
using Kiln.Server.Monitoring.Export;
using Kiln.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Monitoring;

/// <summary>The prediction log: page through it, export it as CSV or Parquet, and see the writer's health.</summary>
internal static class PredictionLogEndpoints
{
    private const int MaxPage = 1000;
    private const int MaxCrashesShown = 20;

    public static IEndpointRouteBuilder MapPredictionLogEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/deployments/{deployment}/predictions").WithTags("Monitoring").ForDeployment("deployment");
        group.MapGet("", List).RequireRole(KilnRole.Viewer)
            .WithSummary("Logged predictions of a deployment, oldest first; filter by time (since/until: ISO 8601 or a duration before now such as 1h) and version; page with after.");
        group.MapGet("/export", Export).RequireRole(KilnRole.Viewer)
            .WithSummary("The logged predictions in a range as CSV (format=csv) or Parquet (format=parquet), one column per feature.");
        app.MapGet("/api/monitoring/prediction-log", Status).RequireRole(KilnRole.Viewer).WithTags("Monitoring")
            .WithSummary("The prediction log writer: rows queued, written, dropped (queue full) and failed, and what crashed processes lost.");
        return app;
    }

    private static async Task<Ok<PredictionPage>> List(
        string deployment, string? since, string? until, int? version, long? after, int? limit,
        IPredictionLogStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var take = limit ?? 100;
        if (take is < 1 or > MaxPage)
        {
            throw KilnException.Invalid("limit", $"must be between 1 and {MaxPage}.");
        }

        var query = Query(deployment, since, until, version, time) with { AfterId = after ?? 0, Limit = take };
        var rows = new List<LoggedPrediction>();
        await foreach (var row in store.QueryAsync(query, cancellationToken))
        {
            rows.Add(new LoggedPrediction(
                row.Id, row.Timestamp, row.Variant, row.ModelName, row.ModelVersion, row.RequestId, row.Row, row.LatencyMs,
                row.Prediction, row.Score, Parse(row.InputsJson), Parse(row.OutputsJson), row.Label, row.LabelledAt));
        }

        return TypedResults.Ok(new PredictionPage(deployment, rows, rows.Count == take ? rows[^1].Id : null));
    }

    private static async Task Export(
        HttpContext context, string deployment, string? format, string? since, string? until, int? version,
        IPredictionLogStore store, PredictionLogWriter writer, TimeProvider time, CancellationToken cancellationToken)
    {
        var kind = (format ?? "csv").ToLowerInvariant();
        if (kind is not ("csv" or "parquet"))
        {
            throw KilnException.Invalid("format", "must be csv or parquet.");
        }

        var query = Query(deployment, since, until, version, time) with { Limit = null };
        await writer.FlushAsync(cancellationToken);
        var rows = store.QueryAsync(query, cancellationToken);
        var response = context.Response;
        var file = $"{deployment}-predictions.{kind}";
        response.Headers.ContentDisposition = $"attachment; filename=\"{file}\"";
        if (kind == "csv")
        {
            response.ContentType = "text/csv; charset=utf-8";
            await CsvPredictionExporter.WriteAsync(rows, response.Body, cancellationToken);
        }
        else
        {
            response.ContentType = "application/vnd.apache.parquet";
            await ParquetPredictionExporter.WriteAsync(rows, response.Body, cancellationToken);
        }
    }

    private static async Task<Ok<PredictionLogStatus>> Status(
        PredictionLogQueue queue, PredictionLogWriter writer, IPredictionLogJournal journal, IOptions<KilnOptions> options, CancellationToken cancellationToken)
    {
        var crashes = (await journal.ListCrashedAsync(MaxCrashesShown, cancellationToken))
            .Select(c => new PredictionLogCrash(c.Replica, c.StartedAt, c.CheckpointAt, c.EndedAt, c.InFlight, c.Accepted, c.Written, c.Dropped))
            .ToArray();
        return TypedResults.Ok(new PredictionLogStatus(
            options.Value.Monitoring.PredictionLog, queue.QueuedRows, queue.CapacityRows, writer.WrittenRows, queue.DroppedRows, queue.DroppedRequests, writer.FailedRows, crashes));
    }

    internal static PredictionQuery Query(string deployment, string? since, string? until, int? version, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var from = since is null ? (DateTimeOffset?)null : DurationText.ParseTime(since, now, "since");
        var to = until is null ? (DateTimeOffset?)null : DurationText.ParseTime(until, now, "until");
        if (from is { } f && to is { } t && f >= t)
        {
            throw KilnException.Invalid("since", "must be before until.");
        }

        return new PredictionQuery(deployment, from, to, version);
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
