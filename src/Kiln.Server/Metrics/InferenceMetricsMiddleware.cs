using System.Diagnostics;
using Kiln.Monitoring.Metrics;
using Kiln.Server.Inference;

namespace Kiln.Server.Metrics;

/// <summary>
/// Measures inference requests (POSTs to the v2, v1 and MLflow scoring paths): counts them in
/// flight, leaves an <see cref="InferenceObservation"/> for the serving handler to fill, and records
/// the outcome with the final status code. It runs outside the exception handler, so the status
/// it sees is the one the client got; an exception that escapes even that counts as 500.
/// </summary>
internal sealed class InferenceMetricsMiddleware(RequestDelegate next, ServingMetrics metrics)
{
    internal const string V2 = "v2";
    internal const string V1 = "v1";
    internal const string Mlflow = "mlflow";

    private readonly Gauge _v2InFlight = metrics.InFlight(V2);
    private readonly Gauge _v1InFlight = metrics.InFlight(V1);
    private readonly Gauge _mlflowInFlight = metrics.InFlight(Mlflow);

    public Task InvokeAsync(HttpContext context) =>
        ProtocolOf(context.Request) is { } protocol ? MeasureAsync(context, protocol) : next(context);

    /// <summary>The protocol label of an inference request, or null for anything else (health, metadata, Kiln's API).</summary>
    internal static string? ProtocolOf(HttpRequest request)
    {
        if (!HttpMethods.IsPost(request.Method) || request.Path.Value is not { } path)
        {
            return null;
        }

        if (path.StartsWith("/v2/models/", StringComparison.OrdinalIgnoreCase))
        {
            return V2;
        }

        if (path.StartsWith("/v1/models/", StringComparison.OrdinalIgnoreCase))
        {
            return V1;
        }

        return path.StartsWith("/deployments/", StringComparison.OrdinalIgnoreCase) && path.EndsWith("/invocations", StringComparison.OrdinalIgnoreCase)
            ? Mlflow
            : null;
    }

    private async Task MeasureAsync(HttpContext context, string protocol)
    {
        var observation = new InferenceObservation();
        context.Features.Set(observation);
        var inFlight = protocol switch
        {
            V2 => _v2InFlight,
            V1 => _v1InFlight,
            _ => _mlflowInFlight,
        };
        inFlight.Increment();
        var started = Stopwatch.GetTimestamp();
        var status = StatusCodes.Status500InternalServerError;
        try
        {
            await next(context);
            status = context.Response.StatusCode;
        }
        finally
        {
            inFlight.Decrement();
            metrics.RecordRequest(protocol, observation.Deployment, observation.Variant, observation.ModelVersion, status,
                Stopwatch.GetElapsedTime(started).TotalSeconds, observation.RequestBytes, observation.ResponseBytes, observation.Rows);
        }
    }
}
