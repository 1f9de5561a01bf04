using Kiln.Core;
using Kiln.Core.Api;
using Kiln.Core.Monitoring;
using Kiln.Core.Security;
using Kiln.Monitoring.Statistics;
using Kiln.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Kiln.Server.Monitoring;

/// <summary>Model quality over time and drift, per deployment.</summary>
internal static class MonitoringReportEndpoints
{
    public static IEndpointRouteBuilder MapMonitoringReportEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/deployments/{deployment}").WithTags("Monitoring").ForDeployment("deployment");
        group.MapGet("/quality", Quality).RequireRole(KilnRole.Viewer)
            .WithSummary("Quality per version and window from predictions joined with ground truth: window=1h (default), since/until (ISO 8601 or a duration before now; default the last day), version, or last=N labelled predictions.");
        group.MapGet("/drift", Drift).RequireRole(KilnRole.Viewer)
            .WithSummary("Per-feature drift of the traffic in a window (default 1h) against the version's training profile, dataset drift, and prediction drift; method and threshold override the default tests.");
        group.MapGet("/drift/history", DriftHistory).RequireRole(KilnRole.Viewer)
            .WithSummary("Dataset drift window by window (window, default 1h) over since/until (default the last day) against the version's training profile.");
        return app;
    }

    private static async Task<Ok<QualityReport>> Quality(
        string deployment, string? window, string? since, string? until, int? version, int? last, QualityReports reports, CancellationToken cancellationToken)
    {
        if (last is < 1 or > 10_000_000)
        {
            throw KilnException.Invalid("last", "must be between 1 and 10,000,000.");
        }

        var now = reports.Now;
        var size = window is null ? TimeSpan.FromHours(1) : DurationText.Parse(window, "window");
        var from = DurationText.ParseTime(since ?? "1d", now, "since");
        var to = until is null ? now : DurationText.ParseTime(until, now, "until");
        return TypedResults.Ok(await reports.BuildAsync(deployment, size, from, to, version, last, cancellationToken));
    }

    private static async Task<Ok<DriftHistory>> DriftHistory(
        string deployment, string? window, string? since, string? until, int? version, string? method, double? threshold, double? driftShare,
        DriftReports reports, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var to = until is null ? now : DurationText.ParseTime(until, now, "until");
        var from = DurationText.ParseTime(since ?? "1d", now, "since");
        var size = window is null ? TimeSpan.FromHours(1) : DurationText.Parse(window, "window");
        return TypedResults.Ok(await reports.HistoryAsync(deployment, from, to, size, version, Options(method, threshold, driftShare), cancellationToken));
    }

    private static async Task<Ok<DriftReport>> Drift(
        string deployment, string? window, string? since, string? until, int? version, string? method, double? threshold, double? driftShare,
        DriftReports reports, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var to = until is null ? now : DurationText.ParseTime(until, now, "until");
        var from = since is not null ? DurationText.ParseTime(since, now, "since") : to - (window is null ? TimeSpan.FromHours(1) : DurationText.Parse(window, "window"));
        return TypedResults.Ok(await reports.BuildAsync(deployment, from, to, version, Options(method, threshold, driftShare), cancellationToken));
    }

    private static DriftOptions Options(string? method, double? threshold, double? driftShare)
    {
        if (threshold is { } t && !(t > 0 && double.IsFinite(t)))
        {
            throw KilnException.Invalid("threshold", "must be a positive number.");
        }

        if (driftShare is { } share && !(share is > 0 and <= 1))
        {
            throw KilnException.Invalid("driftShare", "must be in (0, 1].");
        }

        return new DriftOptions { Method = DriftReports.ParseMethod(method), Threshold = threshold, DatasetDriftShare = driftShare ?? 0.5 };
    }
}
