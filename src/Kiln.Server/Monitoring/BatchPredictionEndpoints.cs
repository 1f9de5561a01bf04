using Kiln.Core;
using Kiln.Core.Deployments;
using Kiln.Core.Monitoring;
using Kiln.Core.Registry;
using Kiln.Core.Api;
using Kiln.Core.Security;
using Kiln.Inference.Decoding;
using Kiln.Monitoring.PredictionLog;
using Kiln.Server.Audit;
using Kiln.Server.Configuration;
using Kiln.Server.Inference;
using Kiln.Server.Security;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Monitoring;

/// <summary>
/// Predictions made outside the server — by <c>kiln batch --log</c> — taken into a deployment's prediction log as its
/// <c>batch</c> variant, so drift and quality cover batch traffic too and ground truth joins them by batch id and row.
/// </summary>
internal static class BatchPredictionEndpoints
{
    /// <summary>The variant batch rows are logged under.</summary>
    public const string Variant = "batch";

    private const int MaxRows = 10_000;

    public static IEndpointRouteBuilder MapBatchPredictionEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/deployments/{deployment}").WithTags("Monitoring").ForDeployment("deployment")
            .MapPost("/batch-predictions", Post).RequireRole(KilnRole.Predictor).NotAudited()
            .WithSummary("Rows scored by a batch (inputs and outputs as v2 tensors, the batch id and the first row's index) into the deployment's prediction log as variant 'batch'. 202 when queued; 503 with Retry-After when the log is full.");
        return app;
    }

    private static async Task<IResult> Post(
        string deployment, HttpContext context, IDeploymentStore deployments, IModelRegistry registry, PredictionLogQueue log,
        IOptions<KilnOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        _ = await deployments.GetAsync(deployment, cancellationToken) ?? throw KilnException.NotFound("Deployment", deployment);
        using var body = await PooledBody.ReadAsync(context.Request, options.Value.Serving.MaxRequestBodyBytes, cancellationToken);
        var header = BatchPredictionsDecoder.ReadHeader(body.Memory);
        var found = await registry.GetVersionAsync(header.Model, header.Version, cancellationToken) ?? throw KilnException.NotFound("Model version", $"{header.Model}/{header.Version}");
        var signature = found.Manifest.Signature;
        var (inputs, outputs) = BatchPredictionsDecoder.Decode(body.Memory, signature, header.FirstRow, MaxRows);
        var record = new PredictionRecord(header.Id, deployment, Variant, header.Model, header.Version, time.GetUtcNow(), 0, inputs, outputs, signature, header.FirstRow);
        if (!log.TryEnqueue(record))
        {
            context.Response.Headers.RetryAfter = "1";
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The prediction log is full", detail: "Nothing was taken; send the same rows again shortly.");
        }

        return TypedResults.Accepted((string?)null, new BatchPredictionsAccepted(inputs.Rows));
    }
}
