using System.Net;
using System.Net.Sockets;
using Kiln.Core;
using Kiln.Server.Alerts;
using Kiln.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Tests.Alerts;

public sealed class WebhookTargetPolicyTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.1.2.3")]
    [InlineData("10.20.30.40")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.0.10")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fd00::1")]
    [InlineData("fe80::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:192.168.1.1")]
    public void NonPublicAddresses_AreNotPublic(string address) => Assert.False(WebhookTargetPolicy.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("1.1.1.1")]
    [InlineData("2606:4700::1111")]
    public void PublicAddresses_ArePublic(string address) => Assert.True(WebhookTargetPolicy.IsPublic(IPAddress.Parse(address)));

    [Fact]
    public void AllowList_TakesHostsAddressesRangesAndTheConfiguredWebhooksHosts()
    {
        var policy = Policy(new AlertOptions
        {
            AllowedWebhookTargets = ["10.0.0.0/8", "192.168.1.7", "alertmanager.internal"],
            Webhooks = ["http://bridge.local:9000/kiln"],
        });

        Assert.True(policy.IsAllowed("x", IPAddress.Parse("10.9.8.7")));
        Assert.True(policy.IsAllowed("x", IPAddress.Parse("192.168.1.7")));
        Assert.False(policy.IsAllowed("x", IPAddress.Parse("192.168.1.8")));
        Assert.True(policy.IsAllowed("alertmanager.internal", IPAddress.Loopback));
        Assert.True(policy.IsAllowed("bridge.local", IPAddress.Parse("172.17.0.2")));
        Assert.False(policy.IsAllowed("other.local", IPAddress.Parse("172.17.0.2")));
    }

    [Fact]
    public void CheckRuleWebhooks_NamesTheFirstRefusedUrl()
    {
        var policy = Policy(new AlertOptions());

        var error = Assert.Throws<KilnException>(() => policy.CheckRuleWebhooks(["https://hooks.example/a", "http://LOCALHOST:8080/"]));

        Assert.Equal("webhooks[1]", error.Field);
    }

    [Fact]
    public async Task Connect_ANameResolvingToLoopback_IsRefused_UnlessAllowed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var endPoint = new DnsEndPoint("localhost", port);

        var refused = await Assert.ThrowsAsync<HttpRequestException>(async () => await Policy(new AlertOptions()).ConnectAsync(endPoint, default));
        await using var allowed = await Policy(new AlertOptions { AllowedWebhookTargets = ["127.0.0.0/8", "::1"] }).ConnectAsync(endPoint, default);

        Assert.Contains("loopback or private", refused.Message, StringComparison.Ordinal);
        Assert.True(allowed.CanWrite);
    }

    private static WebhookTargetPolicy Policy(AlertOptions options) => new(Options.Create(options));
}
