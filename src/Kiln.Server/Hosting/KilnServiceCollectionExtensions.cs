using Kiln.Core.Deployments;
using Kiln.Core.Packaging;
using Kiln.Core.Registry;
using Kiln.Core.Security;
using Kiln.Core.Serialization;
using Kiln.Core.Tracking;
using Kiln.Inference.MlNet;
using Kiln.Inference.Onnx;
using Kiln.Inference.Runtime;
using Kiln.Inference.Serving;
using Kiln.Server.Alerts;
using Kiln.Server.Cluster;
using Kiln.Server.Configuration;
using Kiln.Server.Dashboard;
using Kiln.Server.Errors;
using Kiln.Server.Inference;
using Kiln.Server.Metrics;
using Kiln.Server.Mlflow;
using Kiln.Server.Monitoring;
using Kiln.Server.Pipelines;
using Kiln.Server.Rollouts;
using Kiln.Server.Registry;
using Kiln.Server.Security;
using Kiln.Server.Storage;
using Kiln.Server.Uploads;
using Kiln.Storage;
using Kiln.Storage.Artifacts;
using Kiln.Storage.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Hosting;

/// <summary>One <c>AddXxx</c> per feature; <c>TryAdd</c> defaults so tests can override.</summary>
public static class KilnServiceCollectionExtensions
{
    /// <summary>Everything the Kiln server needs, configured from the <c>Kiln</c> section (see <see cref="KilnServer.Build"/> for the layering).</summary>
    public static WebApplicationBuilder AddKiln(this WebApplicationBuilder builder)
    {
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);

        // Kestrel warns once per connection refused at the limit; a flood would flood the log too. They are counted in
        // /metrics (kiln_http_connections_rejected_total) instead.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel.Connections", LogLevel.Error);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        builder.Services.AddKilnOptions(builder.Configuration);
        builder.Services.AddKilnStorage();
        builder.Services.AddKilnServing();
        builder.Services.AddKilnSecurity();
        builder.Services.AddKilnApi();
        builder.Services.AddKilnMlflow();
        builder.Services.AddKilnAlerts(builder.Configuration);
        builder.Services.AddKilnMonitoring();
        builder.Services.AddKilnRollouts();
        builder.Services.AddKilnPipelines();
        builder.Services.AddKilnCluster();
        builder.Services.AddKilnMetrics();
        builder.Services.AddKilnDashboard();
        builder.AddKilnHttps();
        builder.WebHost.ConfigureKestrel((context, kestrel) => ConnectionLimits.Apply(
            kestrel.Limits,
            context.Configuration.GetSection("Kiln:Serving").Get<ServingOptions>() ?? new ServingOptions(),
            Kiln.Monitoring.Metrics.ProcessMetricsCollector.MaxFileDescriptors(),
            Kiln.Monitoring.Metrics.ProcessMetricsCollector.OpenFileDescriptors()));
        return builder;
    }

    public static IServiceCollection AddKilnOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<KilnOptions>().Bind(configuration.GetSection(KilnOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KilnOptions>, KilnOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PublicAddress>();
        return services;
    }

    public static IServiceCollection AddKilnStorage(this IServiceCollection services)
    {
        services.AddKilnDatabase();
        services.TryAddSingleton<IArtifactStore>(ArtifactStoreFactory.Create);
        services.TryAddSingleton<IModelRegistry, EfModelRegistry>();
        services.TryAddSingleton<IDeploymentStore, EfDeploymentStore>();
        services.TryAddSingleton<IApiKeyStore, EfApiKeyStore>();
        services.TryAddSingleton<ITrackingStore, EfTrackingStore>();
        return services;
    }

    public static IServiceCollection AddKilnServing(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelRuntimeFactory, OnnxRuntimeFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelRuntimeFactory, Kiln.Inference.Trees.XGBoost.XGBoostRuntimeFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelRuntimeFactory, Kiln.Inference.Trees.LightGbm.LightGbmRuntimeFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelRuntimeFactory, MlNetRuntimeFactory>());
        services.TryAddSingleton<ModelLoader>();
        services.TryAddSingleton<DeploymentTable>();
        services.TryAddSingleton<DeploymentManager>();
        services.TryAddSingleton<InferenceHandler>();
        services.TryAddSingleton<PackageUploadReader>();
        services.TryAddSingleton<ModelRegistration>();
        services.AddHostedService<KilnInitializer>();
        return services;
    }

    public static IServiceCollection AddKilnApi(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, KilnJsonContext.Default);
            options.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
            options.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter());
        });
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddExceptionHandler<KilnExceptionHandler>();
        services.AddProblemDetails();
        services.AddOpenApi("v1", options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Kiln API";
                document.Info.Description = "Kiln's registry, deployment and key management API, and the inference protocols (Open Inference Protocol v2, KServe v1, MLflow scoring).";
                return Task.CompletedTask;
            });
            options.AddDocumentTransformer<OpenApiSecurity>();
        });
        return services;
    }
}
