using Kiln.Server.Configuration;
using Kiln.Server.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Kiln.Server.Tests.Hosting;

public sealed class ConnectionLimitsTests
{
    [Theory]
    [InlineData(1024L, 0, 607)]
    [InlineData(1024L, 300, 416)]
    [InlineData(20_000L, 300, 11_674)]
    [InlineData(10_000_000L, 300, 100_000)]
    [InlineData(12L, 0, 16)]
    public void Default_IsWhatIsFreeAtStart_LessAReserve_Bounded(long openFiles, int openNow, int expected) =>
        Assert.Equal(expected, ConnectionLimits.DefaultFor(openFiles, openNow));

    [Fact]
    public void Default_WithoutAKnownLimit_IsTenThousand() => Assert.Equal(10_000, ConnectionLimits.DefaultFor(null));

    [Fact]
    public void Apply_SetsKestrelsLimitsFromTheServingSettings()
    {
        var limits = new KestrelServerLimits();
        var serving = new ServingOptions { RequestHeadersTimeout = TimeSpan.FromSeconds(5), KeepAliveTimeout = TimeSpan.FromSeconds(20), MaxRequestBodyBytes = 4096 };

        ConnectionLimits.Apply(limits, serving, openFileLimit: 2048, openNow: 300);

        Assert.Equal((1036L, 129L), (limits.MaxConcurrentConnections, limits.MaxConcurrentUpgradedConnections));
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20), 4096L), (limits.RequestHeadersTimeout, limits.KeepAliveTimeout, limits.MaxRequestBodySize));
    }

    [Fact]
    public void Apply_AConfiguredConnectionLimit_WinsOverTheDefault()
    {
        var limits = new KestrelServerLimits();

        ConnectionLimits.Apply(limits, new ServingOptions { MaxConnections = 500 }, openFileLimit: 2048);

        Assert.Equal(500L, limits.MaxConcurrentConnections);
    }
}
