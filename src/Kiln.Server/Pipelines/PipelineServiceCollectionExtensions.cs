using Kiln.Core.Pipelines;
using Kiln.Core.Registry;
using Kiln.Pipelines.Execution;
using Kiln.Pipelines.Triggers;
using Kiln.Server.Configuration;
using Kiln.Server.Pipelines.Steps;
using Kiln.Storage.Stores;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Pipelines;

/// <summary>The model factory: pipeline files, their runs on any replica, cron schedules on the lease holder, and event triggers.</summary>
public static class PipelineServiceCollectionExtensions
{
    /// <summary>Adds pipelines. Step kinds are <see cref="IStepExecutor"/>s (enumerable, one per kind).</summary>
    public static IServiceCollection AddKilnPipelines(this IServiceCollection services)
    {
        services.TryAddSingleton<IPipelineStore, EfPipelineStore>();
        services.TryAddSingleton<PipelineDefinitions>();
        services.TryAddSingleton<PipelineCatalog>();
        services.TryAddSingleton<PipelineRunStarter>();
        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<KilnOptions>>().Value.Pipelines;
            return new PipelineEngineOptions { PollInterval = options.PollInterval, OwnerTimeout = options.OwnerTimeout, HeartbeatInterval = options.OwnerTimeout / 3 };
        });
        services.TryAddSingleton(provider =>
        {
            var engine = ActivatorUtilities.CreateInstance<PipelineRunExecutor>(provider);
            var dispatcher = provider.GetRequiredService<PipelineTriggerDispatcher>();
            engine.RunFinished += run => dispatcher.DispatchAsync(new PipelineFinished(run), CancellationToken.None);
            return engine;
        });
        services.TryAddSingleton<PipelineTriggerDispatcher>();
        services.TryAddSingleton<PipelineArtifacts>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStepExecutor, DataStepExecutor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStepExecutor, TrainStepExecutor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStepExecutor, EvaluateStepExecutor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStepExecutor, RegisterStepExecutor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStepExecutor, DeployStepExecutor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStepExecutor, CanaryStepExecutor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStepExecutor, BatchScoreStepExecutor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStepExecutor, ApprovalStepExecutor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStepExecutor, CommandStepExecutor>());

        // Registry changes start the runs of model triggers: the registry is wrapped once, whatever registered it.
        var registry = services.LastOrDefault(d => d.ServiceType == typeof(IModelRegistry))
            ?? throw new InvalidOperationException("AddKilnPipelines needs the model registry: call AddKilnStorage first.");
        if (registry.ImplementationType != typeof(EventfulModelRegistry))
        {
            services.Remove(registry);
            services.AddSingleton<IModelRegistry>(provider => new EventfulModelRegistry(
                Resolve(provider, registry), provider.GetRequiredService<PipelineTriggerDispatcher>(), provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<ILogger<EventfulModelRegistry>>()));
        }

        services.AddSingleton<PipelineRunner>();
        services.AddHostedService(provider => provider.GetRequiredService<PipelineRunner>());
        services.AddSingleton<PipelineScheduler>();
        services.AddHostedService(provider => provider.GetRequiredService<PipelineScheduler>());
        services.AddHostedService<AlertPipelineTriggers>();
        return services;
    }

    private static IModelRegistry Resolve(IServiceProvider provider, ServiceDescriptor descriptor) => (IModelRegistry)(
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(provider)
        ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!));
}
