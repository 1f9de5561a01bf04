using Kiln.Core;
using Kiln.Core.Errors;
using Microsoft.AspNetCore.Diagnostics;

namespace Kiln.Server.Errors;

/// <summary>
/// Turns exceptions into responses: Kiln's own errors and bad requests into 4xx naming the field,
/// anything else into a 500 that says nothing of the internals (and is logged).
/// </summary>
internal sealed partial class KilnExceptionHandler(ILogger<KilnExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, message, field) = exception switch
        {
            KilnException e => (StatusOf(e.Kind), e.Message, e.Field),
            BadHttpRequestException e => (e.StatusCode, BadRequestMessage(e), JsonField(e)),
            OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested => (499, "The client closed the request.", null),
            _ => (StatusCodes.Status500InternalServerError, "An internal error occurred; the server log has the details.", (string?)null),
        };
        if (status >= 500)
        {
            LogUnhandled(exception, httpContext.Request.Method, httpContext.Request.Path);
        }

        await ErrorResponses.WriteAsync(httpContext, status, message, field);
        return true;
    }

    internal static int StatusOf(KilnErrorKind kind) => kind switch
    {
        KilnErrorKind.Invalid => StatusCodes.Status400BadRequest,
        KilnErrorKind.NotFound => StatusCodes.Status404NotFound,
        KilnErrorKind.Conflict => StatusCodes.Status409Conflict,
        KilnErrorKind.NotReady => StatusCodes.Status503ServiceUnavailable,
        KilnErrorKind.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        KilnErrorKind.PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        _ => StatusCodes.Status400BadRequest,
    };

    private static string BadRequestMessage(BadHttpRequestException e) => e.StatusCode switch
    {
        StatusCodes.Status413PayloadTooLarge => "The request body is larger than this server accepts.",
        StatusCodes.Status415UnsupportedMediaType => "The request's Content-Type is not supported here; send application/json.",
        _ => e.InnerException is System.Text.Json.JsonException
            ? JsonField(e) is { } field ? $"The request body is not valid JSON for this endpoint: '{field}' is malformed or of the wrong type." : "The request body is not valid JSON for this endpoint."
            : FirstSentence(e.Message),
    };

    /// <summary>The field a body that does not bind names (System.Text.Json's path, <c>$.batching.maxBatchRows</c> → <c>batching.maxBatchRows</c>).</summary>
    private static string? JsonField(BadHttpRequestException e) =>
        e.InnerException is System.Text.Json.JsonException { Path: { Length: > 2 } path } ? path.TrimStart('$', '.') : null;

    private static string FirstSentence(string message)
    {
        var line = message.Split('\n')[0];
        return line.Length <= 300 ? line : line[..300] + "…";
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Unhandled error for {Method} {Path}")]
    private partial void LogUnhandled(Exception exception, string method, string path);
}
