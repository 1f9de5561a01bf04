using System.Text.Encodings.Web;
using System.Text.Json;

namespace Kiln.Server.Errors;

/// <summary>
/// Writes an error in the shape of the protocol the request used: <c>{"error": …}</c> for the
/// Open Inference Protocol v2 and KServe v1, <c>{"error_code", "message"}</c> for MLflow scoring
/// and MLflow's tracking server API (with its status mapping: an existing resource is a 400
/// RESOURCE_ALREADY_EXISTS there), and RFC 7807 problem details for Kiln's own API.
/// </summary>
internal static class ErrorResponses
{
    public static async Task WriteAsync(HttpContext context, int status, string message, string? field)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        var path = context.Request.Path;
        var tracking = IsMlflowTracking(path);
        var errorCode = tracking ? MlflowTrackingErrorCode(status) : MlflowErrorCode(status);
        if (tracking && status == StatusCodes.Status409Conflict)
        {
            status = StatusCodes.Status400BadRequest;
        }

        context.Response.StatusCode = status;
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            if (path.StartsWithSegments("/v2") || path.StartsWithSegments("/v1"))
            {
                context.Response.ContentType = "application/json";
                writer.WriteString("error"u8, message);
            }
            else if (tracking || path.StartsWithSegments("/deployments") || path.StartsWithSegments("/invocations"))
            {
                context.Response.ContentType = "application/json";
                writer.WriteString("error_code"u8, errorCode);
                writer.WriteString("message"u8, message);
            }
            else
            {
                context.Response.ContentType = "application/problem+json";
                writer.WriteString("type"u8, $"https://httpstatuses.io/{status}");
                writer.WriteString("title"u8, Title(status));
                writer.WriteNumber("status"u8, status);
                writer.WriteString("detail"u8, message);
                if (field is not null)
                {
                    writer.WriteString("field"u8, field);
                }
            }

            writer.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }

    private static bool IsMlflowTracking(PathString path) =>
        path.StartsWithSegments("/api/2.0/mlflow") || path.StartsWithSegments("/ajax-api/2.0/mlflow")
        || path.StartsWithSegments("/api/2.0/mlflow-artifacts") || path.StartsWithSegments("/ajax-api/2.0/mlflow-artifacts");

    /// <summary>MLflow's tracking server codes (mlflow/protos/databricks.proto) and their statuses.</summary>
    private static string MlflowTrackingErrorCode(int status) => status switch
    {
        400 or 413 or 415 => "INVALID_PARAMETER_VALUE",
        409 => "RESOURCE_ALREADY_EXISTS",
        _ => MlflowErrorCode(status),
    };

    private static string MlflowErrorCode(int status) => status switch
    {
        400 or 413 or 415 => "BAD_REQUEST",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "RESOURCE_DOES_NOT_EXIST",
        409 => "RESOURCE_ALREADY_EXISTS",
        429 => "REQUEST_LIMIT_EXCEEDED",
        503 => "TEMPORARILY_UNAVAILABLE",
        _ => "INTERNAL_ERROR",
    };

    private static string Title(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    };
}
