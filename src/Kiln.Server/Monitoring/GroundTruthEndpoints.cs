using System.Globalization;
using System.Text.Json;
using Kiln.Core;
using Kiln.Core.Api;
using Kiln.Core.Monitoring;
using Kiln.Core.Security;
using Kiln.Monitoring.PredictionLog;
using Kiln.Server.Configuration;
using Kiln.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Kiln.Server.Audit;

namespace Kiln.Server.Monitoring;

/// <summary>Delayed ground truth and custom metrics (Cloudera ML's <c>track_delayed_metrics</c> and <c>track_metric</c>).</summary>
internal static class GroundTruthEndpoints
{
    private const int MaxIdLength = 256;

    public static IEndpointRouteBuilder MapGroundTruthEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/deployments/{deployment}").WithTags("Monitoring").ForDeployment("deployment");
        group.MapPost("/ground-truth", PostGroundTruth).RequireRole(KilnRole.Predictor).NotAudited()
            .WithSummary("Labels for past predictions, addressed by request id and row; the response counts accepted, late, duplicate and unknown labels.");
        group.MapPost("/metrics", PostMetrics).RequireRole(KilnRole.Predictor).NotAudited()
            .WithSummary("Named numeric metrics for the deployment, optionally tied to a prediction.");
        group.MapGet("/metrics", GetMetrics).RequireRole(KilnRole.Viewer)
            .WithSummary("Custom metrics aggregated per window (count, sum, mean, min, max).");
        return app;
    }

    private static async Task<Ok<GroundTruthResult>> PostGroundTruth(
        string deployment, GroundTruthRequest request, IGroundTruthStore store, PredictionLogWriter writer,
        IOptions<KilnOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var monitoring = options.Value.Monitoring;
        var items = request.Labels ?? throw KilnException.Invalid("labels", "is required: a list of {\"request_id\", \"row\", \"value\"}.");
        if (items.Count > monitoring.MaxLabelsPerRequest)
        {
            throw KilnException.Invalid("labels", $"holds {items.Count} labels; send at most {monitoring.MaxLabelsPerRequest} per request.");
        }

        var labels = new GroundTruthLabel[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i] ?? throw KilnException.Invalid($"labels[{i}]", "must be an object.");
            labels[i] = new GroundTruthLabel(RequestId(item.RequestId, $"labels[{i}].request_id"), Row(item.Row, $"labels[{i}].row"), Value(item.Value, $"labels[{i}].value"));
        }

        // Predictions still in the writer's queue are stored first, so a label sent right after its prediction always finds it.
        await writer.FlushAsync(cancellationToken);
        return TypedResults.Ok(await store.ApplyAsync(deployment, labels, time.GetUtcNow(), monitoring.LateLabelAfter, cancellationToken));
    }

    private static async Task<Ok<CustomMetricsResult>> PostMetrics(
        string deployment, CustomMetricsRequest request, ICustomMetricStore store, IOptions<KilnOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var items = request.Metrics ?? throw KilnException.Invalid("metrics", "is required: a list of {\"name\", \"value\"}.");
        if (items.Count > options.Value.Monitoring.MaxLabelsPerRequest)
        {
            throw KilnException.Invalid("metrics", $"holds {items.Count} points; send at most {options.Value.Monitoring.MaxLabelsPerRequest} per request.");
        }

        var now = time.GetUtcNow();
        var points = new CustomMetricPoint[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i] ?? throw KilnException.Invalid($"metrics[{i}]", "must be an object.");
            var name = item.Name is { Length: > 0 and <= 128 } n && n.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')
                ? n
                : throw KilnException.Invalid($"metrics[{i}].name", "is required: 1–128 letters, digits, '_', '-' or '.'.");
            var value = item.Value is { } v && double.IsFinite(v) ? v : throw KilnException.Invalid($"metrics[{i}].value", "is required and must be a finite number.");
            var requestId = item.RequestId is null ? null : RequestId(item.RequestId, $"metrics[{i}].request_id");
            var row = item.Row is null ? (int?)null : Row(item.Row, $"metrics[{i}].row");
            points[i] = new CustomMetricPoint(name, value, item.Timestamp ?? now, requestId, row);
        }

        await store.AppendAsync(deployment, points, cancellationToken);
        return TypedResults.Ok(new CustomMetricsResult(points.Length));
    }

    private static async Task<Ok<IReadOnlyList<CustomMetricWindow>>> GetMetrics(
        string deployment, string? name, string? since, string? until, string? window, ICustomMetricStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var from = DurationText.ParseTime(since ?? "1d", now, "since");
        var to = until is null ? now : DurationText.ParseTime(until, now, "until");
        var size = window is null ? TimeSpan.FromHours(1) : DurationText.Parse(window, "window");
        var points = await store.ReadAsync(deployment, name, from, to, cancellationToken);
        var windows = points
            .GroupBy(p => (p.Name, Start: WindowStart(p.Timestamp, from, size)))
            .Select(g => new CustomMetricWindow(g.Key.Name, g.Key.Start, g.Key.Start + size, g.LongCount(), g.Sum(p => p.Value), g.Average(p => p.Value), g.Min(p => p.Value), g.Max(p => p.Value)))
            .OrderBy(w => w.Name, StringComparer.Ordinal).ThenBy(w => w.Start)
            .ToArray();
        return TypedResults.Ok<IReadOnlyList<CustomMetricWindow>>(windows);
    }

    private static DateTimeOffset WindowStart(DateTimeOffset time, DateTimeOffset origin, TimeSpan size) =>
        origin + TimeSpan.FromTicks((time - origin).Ticks / size.Ticks * size.Ticks);

    private static string RequestId(string? id, string field) => id switch
    {
        null or "" => throw KilnException.Invalid(field, "is required: the request id of the prediction."),
        { Length: > MaxIdLength } => throw KilnException.Invalid(field, $"is longer than {MaxIdLength} characters."),
        _ => id,
    };

    private static int Row(int? row, string field) => row switch
    {
        null => 0,
        < 0 => throw KilnException.Invalid(field, "must be 0 or more."),
        _ => row.Value,
    };

    private static string Value(JsonElement value, string field) => value.ValueKind switch
    {
        JsonValueKind.String when value.GetString() is { Length: > 0 and <= MaxIdLength } text => text,
        JsonValueKind.Number when value.TryGetDouble(out var number) && double.IsFinite(number) =>
            number == Math.Floor(number) && Math.Abs(number) < 1e15 ? ((long)number).ToString(CultureInfo.InvariantCulture) : number.ToString("R", CultureInfo.InvariantCulture),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Undefined or JsonValueKind.Null => throw KilnException.Invalid(field, "is required: the class label or the regression target."),
        _ => throw KilnException.Invalid(field, $"must be a number, a string of 1–{MaxIdLength} characters or a boolean."),
    };
}
