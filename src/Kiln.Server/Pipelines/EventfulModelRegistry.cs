using Kiln.Core.Packaging;
using Kiln.Core.Registry;
using Kiln.Pipelines.Triggers;

namespace Kiln.Server.Pipelines;

/// <summary>
/// The model registry, telling pipelines when a version is registered or an alias moves (on whichever replica made
/// the change; the run's trigger key makes it start once). A version registered by a pipeline run carries the
/// pipeline's name in its <c>kiln.pipeline</c> tag, so that pipeline does not trigger itself.
/// </summary>
internal sealed partial class EventfulModelRegistry(IModelRegistry inner, PipelineTriggerDispatcher dispatcher, TimeProvider time, ILogger<EventfulModelRegistry> logger) : IModelRegistry
{
    /// <summary>The version tag naming the pipeline that registered it.</summary>
    public const string PipelineTag = "kiln.pipeline";

    /// <summary>The version tag naming the pipeline run that registered it.</summary>
    public const string PipelineRunTag = "kiln.pipeline_run";

    public async Task<ModelVersion> CreateVersionAsync(NewModelVersion version, CancellationToken cancellationToken)
    {
        var created = await inner.CreateVersionAsync(version, cancellationToken);
        var pipeline = version.Tags?.GetValueOrDefault(PipelineTag);
        await DispatchAsync(new ModelChanged(created.ModelName, created.Version, null, pipeline, time.GetUtcNow()));
        if (version.Alias is { } alias)
        {
            await DispatchAsync(new ModelChanged(created.ModelName, created.Version, alias, pipeline, time.GetUtcNow()));
        }

        return created;
    }

    public async Task SetAliasAsync(string name, string alias, int version, CancellationToken cancellationToken)
    {
        await inner.SetAliasAsync(name, alias, version, cancellationToken);
        await DispatchAsync(new ModelChanged(name, version, alias, null, time.GetUtcNow()));
    }

    public Task<IReadOnlyList<RegisteredModel>> ListModelsAsync(CancellationToken cancellationToken) => inner.ListModelsAsync(cancellationToken);

    public Task<RegisteredModel?> GetModelAsync(string name, CancellationToken cancellationToken) => inner.GetModelAsync(name, cancellationToken);

    public Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string name, CancellationToken cancellationToken) => inner.ListVersionsAsync(name, cancellationToken);

    public Task<ModelVersion?> GetVersionAsync(string name, int version, CancellationToken cancellationToken) => inner.GetVersionAsync(name, version, cancellationToken);

    public Task<ModelVersion?> ResolveAsync(ModelReference reference, CancellationToken cancellationToken) => inner.ResolveAsync(reference, cancellationToken);

    public Task<bool> DeleteAliasAsync(string name, string alias, CancellationToken cancellationToken) => inner.DeleteAliasAsync(name, alias, cancellationToken);

    public Task<IReadOnlyList<AliasMove>> AliasHistoryAsync(string name, CancellationToken cancellationToken) => inner.AliasHistoryAsync(name, cancellationToken);

    public Task<RegisteredModel> CreateModelAsync(string name, string? description, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken) =>
        inner.CreateModelAsync(name, description, tags, cancellationToken);

    public Task<bool> DeleteModelAsync(string name, CancellationToken cancellationToken) => inner.DeleteModelAsync(name, cancellationToken);

    public Task<ModelVersion> SetVersionDescriptionAsync(string name, int version, string? description, CancellationToken cancellationToken) =>
        inner.SetVersionDescriptionAsync(name, version, description, cancellationToken);

    public Task<bool> DeleteVersionAsync(string name, int version, CancellationToken cancellationToken) => inner.DeleteVersionAsync(name, version, cancellationToken);

    public Task SetDescriptionAsync(string name, string? description, CancellationToken cancellationToken) => inner.SetDescriptionAsync(name, description, cancellationToken);

    public Task<ModelVersion> SetProfileAsync(string model, int version, DataProfile profile, CancellationToken cancellationToken) =>
        inner.SetProfileAsync(model, version, profile, cancellationToken);

    /// <summary>The registry change is done and must stand: a trigger that cannot start is logged, never turned into a failed registration.</summary>
    private async Task DispatchAsync(ModelChanged change)
    {
        try
        {
            await dispatcher.DispatchAsync(change, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogDispatchFailed(e, change.Model, change.Version);
        }
    }

    [LoggerMessage(EventId = 4141, Level = LogLevel.Error, Message = "Starting the pipelines triggered by {Model} version {Version} failed")]
    private partial void LogDispatchFailed(Exception exception, string model, int version);
}
