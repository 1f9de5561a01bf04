using Kiln.Core.Monitoring.Alerts;
using Kiln.Monitoring.Alerts;
using Kiln.Monitoring.Traffic;
using Kiln.Server.Configuration;
using Kiln.Storage.Stores;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Alerts;

/// <summary>Alerts: rules from the API and configuration, evaluated on a schedule, announced by webhook and on the event stream.</summary>
public static class AlertServiceCollectionExtensions
{
    /// <summary>
    /// Adds alerting. Signal sources are <see cref="IAlertSignalSource"/>s (enumerable): traffic kinds are
    /// built in; register more with <c>services.AddSingleton&lt;IAlertSignalSource, MySource&gt;()</c>.
    /// </summary>
    public static IServiceCollection AddKilnAlerts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AlertOptions>().Bind(configuration.GetSection(AlertOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AlertOptions>, AlertOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IAlertStore, EfAlertStore>();
        services.TryAddSingleton<IConfiguredAlertRules, ConfiguredAlertRules>();
        services.TryAddSingleton<AlertRuleCatalog>();
        services.TryAddSingleton<AlertEventBroadcast>();
        services.TryAddSingleton<IAlertEventStream>(provider => provider.GetRequiredService<AlertEventBroadcast>());

        services.TryAddSingleton(provider => new TrafficWindows(provider.GetRequiredService<TimeProvider>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAlertSignalSource, TrafficAlertSignals>(provider =>
            new TrafficAlertSignals(provider.GetRequiredService<TrafficWindows>(), provider.GetRequiredService<IOptions<AlertOptions>>().Value.MinimumRequests)));
        services.TryAddSingleton<AlertSignalRouter>();

        services.TryAddSingleton<WebhookTargetPolicy>();
        services.AddHttpClient(AlertWebhookSender.HttpClientName)
            .ConfigureHttpClient((provider, client) => client.Timeout = provider.GetRequiredService<IOptions<AlertOptions>>().Value.WebhookTimeout)
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                ConnectCallback = provider.GetRequiredService<WebhookTargetPolicy>().ConnectAsync,
                AllowAutoRedirect = false,
            });
        services.TryAddSingleton<AlertWebhookSender>();
        services.TryAddSingleton<WebhookAlertNotifier>();
        services.TryAddSingleton<IAlertNotifier>(provider => provider.GetRequiredService<WebhookAlertNotifier>());
        services.AddHostedService(provider => provider.GetRequiredService<WebhookAlertNotifier>());

        services.TryAddSingleton<AlertEvaluator>();
        services.AddHostedService<AlertEvaluationService>();
        return services;
    }
}
