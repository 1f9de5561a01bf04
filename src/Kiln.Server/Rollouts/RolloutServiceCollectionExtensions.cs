using Kiln.Monitoring.Shadow;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Kiln.Server.Rollouts;

/// <summary>Registers shadow mirroring and the automated canary analysis.</summary>
public static class RolloutServiceCollectionExtensions
{
    public static IServiceCollection AddKilnRollouts(this IServiceCollection services)
    {
        services.TryAddSingleton(provider => new ShadowAgreement(provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ShadowDispatcher>();
        services.AddHostedService(provider => provider.GetRequiredService<ShadowDispatcher>());
        services.TryAddSingleton<CanaryAnalyzer>();
        services.TryAddSingleton<ComparisonReports>();
        services.TryAddSingleton<CanaryController>();
        services.AddHostedService(provider => provider.GetRequiredService<CanaryController>());
        services.AddHostedService<RolloutEventWebhooks>();
        return services;
    }
}
