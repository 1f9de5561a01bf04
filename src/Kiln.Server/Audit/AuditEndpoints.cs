using System.Globalization;
using System.Text;
using System.Text.Json;
using Kiln.Core;
using Kiln.Core.Api;
using Kiln.Core.Audit;
using Kiln.Core.Security;
using Kiln.Core.Serialization;
using Kiln.Server.Security;
using Kiln.Storage.Stores;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Kiln.Server.Audit;

/// <summary>The audit log, for admins: pages of events with filters, and an export of every matching event.</summary>
internal static class AuditEndpoints
{
    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/audit").WithTags("Audit").RequireRole(KilnRole.Admin);
        group.MapGet("", List).WithSummary("Audit events, oldest first: who changed what, when, from where, before and after. Filters: since, until, actor, action, target.");
        group.MapGet("/export", Export).WithSummary("Every matching audit event as JSON Lines (format=jsonl, the default) or CSV (format=csv).");
        return app;
    }

    private static async Task<Ok<AuditPage>> List(
        string? since, string? until, string? actor, string? action, string? target, long? after, int? limit, IAuditStore store, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var take = limit ?? 100;
        if (take is < 1 or > EfAuditStore.MaxLimit)
        {
            throw KilnException.Invalid("limit", $"must be between 1 and {EfAuditStore.MaxLimit}.");
        }

        var query = Query(since, until, actor, action, target, time) with { AfterId = after ?? 0, Limit = take };
        var events = await store.QueryAsync(query, cancellationToken);
        return TypedResults.Ok(new AuditPage(events, events.Count == take ? events[^1].Id : null));
    }

    private static async Task Export(
        HttpContext context, string? format, string? since, string? until, string? actor, string? action, string? target, IAuditStore store, TimeProvider time)
    {
        var csv = (format ?? "jsonl") switch
        {
            "jsonl" => false,
            "csv" => true,
            _ => throw KilnException.Invalid("format", "must be jsonl or csv."),
        };
        var query = Query(since, until, actor, action, target, time) with { Limit = EfAuditStore.MaxLimit };
        context.Response.ContentType = csv ? "text/csv; charset=utf-8" : "application/x-ndjson";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"kiln-audit.{(csv ? "csv" : "jsonl")}\"";
        if (csv)
        {
            await context.Response.WriteAsync("id,at,actor,actor_name,action,target,status,address,request_id,replica,before,after\n", context.RequestAborted);
        }

        while (true)
        {
            var page = await store.QueryAsync(query, context.RequestAborted);
            var text = new StringBuilder();
            foreach (var auditEvent in page)
            {
                text.Append(csv ? CsvLine(auditEvent) : JsonSerializer.Serialize(auditEvent, KilnJsonContext.Default.AuditEvent)).Append('\n');
            }

            await context.Response.WriteAsync(text.ToString(), context.RequestAborted);
            if (page.Count < query.Limit)
            {
                return;
            }

            query = query with { AfterId = page[^1].Id };
        }
    }

    private static AuditQuery Query(string? since, string? until, string? actor, string? action, string? target, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var from = since is null ? (DateTimeOffset?)null : DurationText.ParseTime(since, now, "since");
        var to = until is null ? (DateTimeOffset?)null : DurationText.ParseTime(until, now, "until");
        return new AuditQuery(from, to, Optional(actor, 64, "actor"), Optional(action, 300, "action"), Optional(target, 1100, "target"));
    }

    private static string? Optional(string? value, int max, string field) =>
        string.IsNullOrEmpty(value) ? null : value.Length <= max ? value : throw KilnException.Invalid(field, $"may be at most {max} characters.");

    private static string CsvLine(AuditEvent e) => string.Join(',',
        e.Id.ToString(CultureInfo.InvariantCulture), e.At.ToString("O", CultureInfo.InvariantCulture), Csv(e.Actor), Csv(e.ActorName), Csv(e.Action), Csv(e.Target),
        e.Status.ToString(CultureInfo.InvariantCulture), Csv(e.Address), Csv(e.RequestId), Csv(e.Replica), Csv(e.Before), Csv(e.After));

    private static string Csv(string? value) =>
        value is null ? string.Empty
        : value.AsSpan().IndexOfAny(",\"\n\r") < 0 && !value.StartsWith('=') && !value.StartsWith('+') && !value.StartsWith('-') && !value.StartsWith('@') ? value
        : "\"" + (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' ? "'" : string.Empty) + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
