using Kiln.Core;
using Kiln.Core.Api;
using Kiln.Core.Security;
using Kiln.Core.Tracking;
using Kiln.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Kiln.Server.Endpoints;

/// <summary>Experiments: named groups of runs.</summary>
internal static class ExperimentEndpoints
{
    public static IEndpointRouteBuilder MapExperimentEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/experiments").WithTags("Tracking");
        group.MapGet("", List).RequireRole(KilnRole.Viewer);
        group.MapPost("", Create).RequireRole(KilnRole.Deployer);
        group.MapGet("/{id}", Get).RequireRole(KilnRole.Viewer);
        group.MapGet("/by-name/{name}", GetByName).RequireRole(KilnRole.Viewer);
        return app;
    }

    private static async Task<Ok<IReadOnlyList<Experiment>>> List(ITrackingStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ListExperimentsAsync(cancellationToken));

    private static async Task<Created<Experiment>> Create(CreateExperimentRequest request, ITrackingStore store, CancellationToken cancellationToken)
    {
        var experiment = await store.CreateExperimentAsync(request.Name ?? throw KilnException.Invalid("name", "is required."), request.Tags, cancellationToken);
        return TypedResults.Created($"/api/experiments/{experiment.Id}", experiment);
    }

    private static async Task<Ok<Experiment>> Get(string id, ITrackingStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.GetExperimentAsync(id, cancellationToken) ?? throw KilnException.NotFound("Experiment", id));

    private static async Task<Ok<Experiment>> GetByName(string name, ITrackingStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.GetExperimentByNameAsync(name, cancellationToken) ?? throw KilnException.NotFound("Experiment", name));
}
