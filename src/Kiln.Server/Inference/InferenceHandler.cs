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
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Kiln.Server.Inference;

/// <summary>
/// The serving path, shared by every protocol: lease the deployment's model, read the body once,
/// decode it into one columnar batch, score, and write the protocol's response straight to the
/// response pipe with the request id, deployment and model version in headers.
/// </summary>
internal sealed class InferenceHandler(DeploymentTable table, DeploymentManager deployments, PredictionLogQueue log, TimeProvider time, IOptions<KilnOptions> options)
{
    public const string RequestIdHeader = "Kiln-Request-Id";
    public const string DeploymentHeader = "Kiln-Deployment";
    public const string ModelHeader = "Kiln-Model";
    public const string ModelVersionHeader = "Kiln-Model-Version";

    private readonly long _maxBodyBytes = options.Value.Serving.MaxRequestBodyBytes;
    private readonly bool _logPredictions = options.Value.Monitoring.PredictionLog;

    public async Task HandleAsync(HttpContext context, string deployment, string? version, InferenceProtocol protocol)
    {
        var started = Stopwatch.GetTimestamp();
        var observation = context.Features.Get<InferenceObservation>();
        observation?.Deployment = deployment;
        var csv = CheckContentType(context.Request, protocol);
        using var lease = Lease(deployment, version);
        var model = lease.Model;
        observation?.Variant = lease.Deployment.Primary.Name;
        observation?.ModelVersion = model.VersionText;
        DecodedRequest decoded;
        using (var body = await PooledBody.ReadAsync(context.Request, _maxBodyBytes, context.RequestAborted))
        {
            observation?.RequestBytes = body.Memory.Length;
            decoded = protocol switch
            {
                InferenceProtocol.V2 => V2RequestDecoder.Decode(body.Memory, model.Layout),
                InferenceProtocol.V1 => V1RequestDecoder.Decode(body.Memory, model.Layout),
                _ when csv => CsvRequestDecoder.Decode(body.Memory, model.Layout),
                _ => MlflowRequestDecoder.Decode(body.Memory, model.Layout),
            };
        }

        observation?.Rows = decoded.Batch.Rows;
        var result = model.Runtime.Predict(decoded.Batch, decoded.Outputs);
        var requestId = decoded.Id ?? context.TraceIdentifier;
        if (_logPredictions && PredictionLogQueue.Sample(lease.Deployment.LogSampleRate))
        {
            log.TryEnqueue(new PredictionRecord(
                requestId, deployment, lease.Deployment.Primary.Name, model.ModelName, model.Version, time.GetUtcNow(),
                Stopwatch.GetElapsedTime(started).TotalMilliseconds, decoded.Batch, result, model.Runtime.Signature));
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

    /// <summary>Leases the model serving a deployment, or explains why there is none (404, or 503 while loading).</summary>
    public ModelLease Lease(string deployment, string? version)
    {
        if (!table.TryLease(deployment, out var lease))
        {
            throw deployments.GetState(deployment) switch
            {
                { Status: DeploymentStatus.Loading } => KilnException.NotReady($"Deployment '{deployment}' is loading; retry shortly."),
                { Status: DeploymentStatus.Failed, Error: var error } => KilnException.NotReady($"Deployment '{deployment}' failed to load: {error}"),
                _ => KilnException.NotFound("Deployment", deployment),
            };
        }

        if (version is not null && version != lease.Model.Version.ToString(CultureInfo.InvariantCulture))
        {
            var served = lease.Model.Version;
            lease.Dispose();
            throw new KilnException(KilnErrorKind.NotFound, $"Deployment '{deployment}' does not serve version {version}; it serves version {served}.");
        }

        return lease;
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
