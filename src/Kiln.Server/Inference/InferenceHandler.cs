using System.Diagnostics;
using System.Globalization;
using Kiln.Core;
using Kiln.Core.Errors;
using Kiln.Core.Monitoring;
using Kiln.Inference.Decoding;
using Kiln.Inference.Serving;
using Kiln.Inference.Writers;
using Kiln.Monitoring.PredictionLog;
using Kiln.Server.Configuration;
using Kiln.Server.Rollouts;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Kiln.Server.Inference;

/// <summary>
/// The serving path, shared by every protocol: lease the deployment's model, read the body once,
/// decode it into one columnar batch, score, and write the protocol's response straight to the
/// response pipe with the request id, deployment and model version in headers.
/// </summary>
internal sealed class InferenceHandler(DeploymentTable table, DeploymentManager deployments, PredictionLogQueue log, ShadowDispatcher shadows, TimeProvider time, IOptions<KilnOptions> options)
{
    public const string RequestIdHeader = "Kiln-Request-Id";
    public const string DeploymentHeader = "Kiln-Deployment";
    public const string ModelHeader = "Kiln-Model";
    public const string ModelVersionHeader = "Kiln-Model-Version";

    private readonly long _maxBodyBytes = options.Value.Serving.MaxRequestBodyBytes;
    private readonly bool _logPredictions = options.Value.Monitoring.PredictionLog;

    public const string RoutingKeyHeader = "Kiln-Routing-Key";

    public async Task HandleAsync(HttpContext context, string deployment, string? version, InferenceProtocol protocol)
    {
        var started = Stopwatch.GetTimestamp();
        var observation = context.Features.Get<InferenceObservation>();
        observation?.Deployment = deployment;
        var csv = CheckContentType(context.Request, protocol);
        string? routingKey = context.Request.Headers[RoutingKeyHeader];
        var lease = Lease(deployment, version, routingKey);
        observation?.Variant = lease.Variant.Name;
        observation?.ModelVersion = lease.Model.VersionText;
        try
        {
            DecodedRequest decoded;
            using (var body = await PooledBody.ReadAsync(context.Request, _maxBodyBytes, context.RequestAborted))
            {
                observation?.RequestBytes = body.Memory.Length;
                decoded = Decode(body.Memory, lease.Model, protocol, csv);

                // Sticky routing by an input field: the variant is known only once the request is read.
                if (version is null && string.IsNullOrEmpty(routingKey) && lease.Deployment.RoutingField is { } field && lease.Served.Routable.Length > 1
                    && RoutingFields.Read(decoded.Batch, lease.Model.Layout, field) is { } key)
                {
                    var chosen = lease.Served.Pick(key);
                    if (!ReferenceEquals(chosen.Model, lease.Model) && DeploymentTable.TryLeaseShadow(lease.Served, chosen, out var routed))
                    {
                        var previous = lease;
                        lease = routed;
                        previous.Dispose();
                        if (!ReferenceEquals(lease.Model.Layout.Signature, previous.Model.Layout.Signature))
                        {
                            decoded = Decode(body.Memory, lease.Model, protocol, csv);
                        }
                    }
                }
            }

            await ScoreAsync(context, deployment, lease, decoded, protocol, started, observation);
        }
        finally
        {
            lease.Dispose();
        }
    }

    private async Task ScoreAsync(HttpContext context, string deployment, ModelLease lease, DecodedRequest decoded, InferenceProtocol protocol, long started, InferenceObservation? observation)
    {
        var model = lease.Model;
        observation?.Variant = lease.Variant.Name;
        observation?.ModelVersion = model.VersionText;
        observation?.Rows = decoded.Batch.Rows;
        var result = await lease.PredictAsync(decoded.Batch, decoded.Outputs, context.RequestAborted);
        var requestId = decoded.Id ?? context.TraceIdentifier;
        var sampled = _logPredictions && PredictionLogQueue.Sample(lease.Deployment.LogSampleRate);
        if (sampled)
        {
            log.TryEnqueue(new PredictionRecord(
                requestId, deployment, lease.Variant.Name, model.ModelName, model.Version, time.GetUtcNow(),
                Stopwatch.GetElapsedTime(started).TotalMilliseconds, decoded.Batch, result, model.Runtime.Signature));
        }

        if (lease.Served.Shadows.Length > 0)
        {
            shadows.Mirror(lease, requestId, decoded.Batch, result);
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        var headers = response.Headers;
        headers[RequestIdHeader] = requestId;
        headers[DeploymentHeader] = deployment;
        headers[ModelHeader] = model.ModelName;
        headers[ModelVersionHeader] = model.VersionText;
        if (protocol == InferenceProtocol.V2)
        {
            V2ResponseWriter.Write(response.BodyWriter, result, new ResponseContext(deployment, model.ModelName, model.Version, requestId));
        }
        else
        {
            PredictionsWriter.Write(response.BodyWriter, result, decoded.Batch.Rows);
        }

        observation?.ResponseBytes = response.BodyWriter.CanGetUnflushedBytes ? response.BodyWriter.UnflushedBytes : 0;

        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    private static DecodedRequest Decode(ReadOnlyMemory<byte> body, LoadedModel model, InferenceProtocol protocol, bool csv) => protocol switch
    {
        InferenceProtocol.V2 => V2RequestDecoder.Decode(body, model.Layout),
        InferenceProtocol.V1 => V1RequestDecoder.Decode(body, model.Layout),
        _ when csv => CsvRequestDecoder.Decode(body, model.Layout),
        _ => MlflowRequestDecoder.Decode(body, model.Layout),
    };

    /// <summary>
    /// Leases the variant that serves a request: model version <paramref name="version"/> when pinned, else the
    /// variant the routing key (or a weighted draw) picks. Explains why there is none (404, or 503 while loading).
    /// </summary>
    public ModelLease Lease(string deployment, string? version, string? routingKey = null)
    {
        if (version is not null)
        {
            if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                throw new KilnException(KilnErrorKind.NotFound, $"Model version '{version}' is not a version number.");
            }

            switch (table.TryLeaseVersion(deployment, number, out var pinned))
            {
                case LeaseByVersion.Leased:
                    return pinned;
                case LeaseByVersion.NoSuchVersion:
                    var served = table.TryGet(deployment, out var entry) ? string.Join(" and ", entry.Variants.Select(v => v.Variant.ModelVersion)) : "none";
                    throw new KilnException(KilnErrorKind.NotFound, $"Deployment '{deployment}' does not serve version {version}; it serves version {served}.");
            }
        }
        else if (table.TryLease(deployment, routingKey, out var lease))
        {
            return lease;
        }

        throw deployments.GetState(deployment) switch
        {
            { Status: DeploymentStatus.Loading } => KilnException.NotReady($"Deployment '{deployment}' is loading; retry shortly."),
            { Status: DeploymentStatus.Failed, Error: var error } => KilnException.NotReady($"Deployment '{deployment}' failed to load: {error}"),
            _ => KilnException.NotFound("Deployment", deployment),
        };
    }

    /// <summary>JSON everywhere (a missing Content-Type is taken as JSON); MLflow also takes CSV. Returns whether the body is CSV.</summary>
    private static bool CheckContentType(HttpRequest request, InferenceProtocol protocol)
    {
        var contentType = request.ContentType;
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            throw new KilnException(KilnErrorKind.UnsupportedMediaType, "The Content-Type header is malformed; send application/json.");
        }

        if (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (protocol == InferenceProtocol.Mlflow && media.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var accepted = protocol == InferenceProtocol.Mlflow ? "application/json or text/csv" : "application/json";
        throw new KilnException(KilnErrorKind.UnsupportedMediaType, $"Content-Type '{media.MediaType}' is not supported; send {accepted}.");
    }
}
