using Kiln.Core.Registry;
using Kiln.Core.Serialization;
using Kiln.Server.Audit;
using Kiln.Core.Security;
using Kiln.Core;
using Kiln.Core.Api;
using Kiln.Core.Deployments;
using Kiln.Inference.Serving;
using Kiln.Monitoring.Traffic;
using Kiln.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Kiln.Server.Endpoints;

/// <summary>Deployments: named endpoints serving a registered version, switched with zero downtime.</summary>
internal static class DeploymentEndpoints
{
    public static IEndpointRouteBuilder MapDeploymentEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/deployments").WithTags("Deployments");
        group.MapGet("", List).RequireRole(KilnRole.Viewer);
        group.MapGet("/{name}", Get).RequireRole(KilnRole.Viewer).ForDeployment();
        group.MapPut("/{name}", Deploy).RequireRole(KilnRole.Deployer).ForDeployment()
            .WithSummary("Create or update a deployment: loads and warms the version, then switches traffic atomically.");
        group.MapDelete("/{name}", Delete).RequireRole(KilnRole.Deployer).ForDeployment();
        return app;
    }

    private static async Task<Ok<IReadOnlyList<DeploymentView>>> List(IDeploymentStore store, DeploymentManager manager, TrafficWindows traffic, CancellationToken cancellationToken)
    {
        var deployments = await store.ListAsync(cancellationToken);
        return TypedResults.Ok<IReadOnlyList<DeploymentView>>(deployments.Select(d => View(d, manager, traffic)).ToArray());
    }

    private static async Task<Ok<DeploymentView>> Get(string name, IDeploymentStore store, DeploymentManager manager, TrafficWindows traffic, CancellationToken cancellationToken)
    {
        var deployment = await store.GetAsync(name, cancellationToken) ?? throw KilnException.NotFound("Deployment", name);
        return TypedResults.Ok(View(deployment, manager, traffic));
    }

    private static async Task<Ok<DeploymentView>> Deploy(
        string name, DeployRequest request, HttpContext context, DeploymentManager manager, IDeploymentStore store, CancellationToken cancellationToken)
    {
        var model = request.Model ?? throw KilnException.Invalid("model", "is required: NAME/VERSION, NAME@ALIAS or NAME.");
        var before = ModelName.IsValid(name) ? await store.GetAsync(name, cancellationToken) : null;
        var deployment = await manager.DeployAsync(name, model, new DeploymentSettingsChange(request.LogSampleRate, request.RoutingField, request.Batching, request.ReferenceRuntime), Rollouts.RolloutEndpoints.Actor(context), cancellationToken);
        AuditNote.Record(context, before, deployment, KilnJsonContext.Default.Deployment);
        return TypedResults.Ok(View(deployment, manager));
    }

    private static async Task<NoContent> Delete(string name, HttpContext context, DeploymentManager manager, IDeploymentStore store, CancellationToken cancellationToken)
    {
        var before = ModelName.IsValid(name) ? await store.GetAsync(name, cancellationToken) : null;
        if (!await manager.DeleteAsync(name, cancellationToken))
        {
            throw KilnException.NotFound("Deployment", name);
        }

        AuditNote.Record(context, before, null, KilnJsonContext.Default.Deployment);
        return TypedResults.NoContent();
    }

    internal static DeploymentView View(Deployment deployment, DeploymentManager manager, TrafficWindows? traffic = null)
    {
        var state = manager.GetState(deployment.Name);
        var endpoints = new InferenceUrls(
            $"/v2/models/{deployment.Name}/infer",
            $"/v1/models/{deployment.Name}:predict",
            $"/deployments/{deployment.Name}/invocations");
        return new DeploymentView(deployment, (state?.Status ?? DeploymentStatus.Loading).ToString().ToLowerInvariant(), state?.Error, endpoints)
        {
            Traffic = traffic is null ? null : deployment.Variants.Select(v =>
            {
                var window = traffic.Snapshot(deployment.Name, v.Name, TimeSpan.FromMinutes(5));
                return new VariantTraffic(v.Name, v.ModelVersion, window.Requests, window.ErrorRate, window.P99Seconds * 1000);
            }).ToArray(),
        };
    }
}
