using Kiln.Core.Monitoring.Alerts;
using Kiln.Monitoring.Alerts;
using Kiln.Server.Alerts;
using Kiln.Server.Cluster;
using Kiln.Server.Configuration;
using Kiln.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Server.Tests.Alerts;

public sealed class AlertEvaluationServiceTests
{
    [Fact]
    public async Task AlertEvaluationService_FakeClockPassesInterval_EvaluatesAtThatTime()
    {
        using var factory = new KilnAppFactory(settings: new Dictionary<string, string?> { ["Kiln:Monitoring:Alerts:Interval"] = "01:00:00" });
        await Requests.DeployGbtAsync(factory, deployment: "bank");
        var store = factory.Services.GetRequiredService<IAlertStore>();
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var service = new AlertEvaluationService(factory.Services.GetRequiredService<AlertEvaluator>(), factory.Services.GetRequiredService<LeaderLease>(),
            Options.Create(new AlertOptions { Interval = TimeSpan.FromSeconds(15) }), time, NullLogger<AlertEvaluationService>.Instance);
        await service.StartAsync(CancellationToken.None);
        try
        {
            time.Advance(TimeSpan.FromSeconds(14));
            await Task.Delay(200);
            Assert.Empty(await store.ListStatesAsync(CancellationToken.None));

            time.Advance(TimeSpan.FromSeconds(1));

            var state = await WaitForStateAsync(store);
            Assert.Equal(DefaultAlertRules.ErrorRateId, state.RuleId);
            Assert.Equal(time.GetUtcNow(), state.EvaluatedAt);
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    private static async Task<AlertState> WaitForStateAsync(IAlertStore store)
    {
        for (var i = 0; i < 200; i++)
        {
            if ((await store.ListStatesAsync(CancellationToken.None)).FirstOrDefault() is { } state)
            {
                return state;
            }

            await Task.Delay(25);
        }

        throw new TimeoutException("The service did not evaluate.");
    }
}
