using Kiln.Core;
using Kiln.Core.Audit;
using Kiln.Server.Errors;
using Kiln.Server.Security;
using Kiln.Server.Storage;
using Microsoft.AspNetCore.Routing;

namespace Kiln.Server.Audit;

/// <summary>
/// Records every change, whatever the interface: each POST, PUT, PATCH and DELETE that reached an endpoint (API, MLflow
/// API, dashboard forms) and was not refused for want of a valid key, with the caller, the route, the status, the
/// address and what the endpoint noted (<see cref="AuditNote"/>). 401s and 429s are not recorded: a flood of bad keys
/// would fill the log; they are counted in <c>/metrics</c>. The event is stored before the request completes, so an
/// acknowledged change always has its record (if the store fails, the failure is logged and the request still answers).
/// </summary>
internal sealed partial class AuditMiddleware(RequestDelegate next, IAuditStore store, ReplicaIdentity replica, TimeProvider time, ILogger<AuditMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!IsChange(context.Request.Method) || context.GetEndpoint() is not RouteEndpoint endpoint || endpoint.Metadata.GetMetadata<NotAudited>() is not null
            || endpoint.RoutePattern.RawText?.TrimStart('/').StartsWith('_') == true)
        {
            await next(context);
            return;
        }

        int? status = null;
        try
        {
            await next(context);
        }
        catch (KilnException e)
        {
            status = KilnExceptionHandler.StatusOf(e.Kind);
            throw;
        }
        catch (BadHttpRequestException e)
        {
            status = e.StatusCode;
            throw;
        }
        catch (Exception)
        {
            status = StatusCodes.Status500InternalServerError;
            throw;
        }
        finally
        {
            await RecordAsync(context, endpoint, status ?? context.Response.StatusCode);
        }
    }

    private static bool IsChange(string method) => HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);

    private async Task RecordAsync(HttpContext context, RouteEndpoint endpoint, int status)
    {
        if (status is StatusCodes.Status401Unauthorized or StatusCodes.Status429TooManyRequests)
        {
            return;
        }

        var note = AuditNote.Of(context);
        var (actor, name) = note?.ActingAs ?? (context.User.FindFirst(KilnClaims.KeyId)?.Value is { } keyId
            ? (keyId, context.User.Identity?.Name ?? keyId)
            : ("anonymous", "anonymous"));
        var auditEvent = new AuditEvent
        {
            At = time.GetUtcNow(),
            Actor = actor,
            ActorName = name,
            Action = $"{context.Request.Method} {Route(endpoint)}",
            Target = context.Request.Path.Value ?? "/",
            Status = status,
            Address = context.Connection.RemoteIpAddress?.ToString(),
            RequestId = context.TraceIdentifier,
            Replica = replica.Name,
            Before = note?.Before,
            After = note?.After,
        };
        try
        {
            await store.AppendAsync(auditEvent, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogFailed(e, auditEvent.Action, auditEvent.Target);
        }
    }

    private static string Route(RouteEndpoint endpoint)
    {
        var pattern = (endpoint.RoutePattern.RawText ?? endpoint.DisplayName ?? "?").TrimEnd('/');
        return pattern.StartsWith('/') ? pattern : "/" + pattern;
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Error, Message = "Could not store the audit event for {Action} {Target}")]
    private partial void LogFailed(Exception exception, string action, string target);
}
