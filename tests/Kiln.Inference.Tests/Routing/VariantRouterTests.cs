using Kiln.Inference.Routing;
using Kiln.Monitoring.Statistics;

namespace Kiln.Inference.Tests.Routing;

public sealed class VariantRouterTests
{
    private const int Keys = 100_000;

    private static VariantRouter Router(params (string Name, double Weight)[] variants) =>
        new(variants.Select(v => new RouteVariant(v.Name, v.Weight)));

    private static int[] RouteAll(VariantRouter router) =>
        [.. Enumerable.Range(0, Keys).Select(i => router.Route($"user-{i}"))];

    private static double[] Shares(int[] routes, int variants) =>
        [.. Enumerable.Range(0, variants).Select(v => routes.Count(r => r == v) / (double)routes.Length)];

    [Fact]
    public void Route_100kKeys_HonoursWeightsByChiSquare()
    {
        var router = Router(("v1", 70), ("v2", 20), ("v3", 10));
        var routes = RouteAll(router);

        double[] expected = [0.7, 0.2, 0.1];
        double chiSquare = 0;
        for (var v = 0; v < 3; v++)
        {
            var observed = routes.Count(r => r == v);
            var e = expected[v] * Keys;
            chiSquare += (observed - e) * (observed - e) / e;
            Assert.InRange(observed / (double)Keys, expected[v] - 0.01, expected[v] + 0.01);
        }

        Assert.True(SpecialFunctions.ChiSquareSf(chiSquare, 2) > 0.001, $"chi-square {chiSquare}");
    }

    [Fact]
    public void Route_SameKey_SameVariantAcrossInstances()
    {
        var first = RouteAll(Router(("champion", 60), ("challenger", 40)));
        var second = RouteAll(Router(("champion", 60), ("challenger", 40)));

        Assert.Equal(first, second);
    }

    [Fact]
    public void Route_VariantOrder_DoesNotChangeAKeysVariant()
    {
        var forward = Router(("a", 50), ("b", 30), ("c", 20));
        var backward = Router(("c", 20), ("b", 30), ("a", 50));

        for (var i = 0; i < 10_000; i++)
        {
            var key = $"session-{i}";
            Assert.Equal(forward.Variants[forward.Route(key)].Name, backward.Variants[backward.Route(key)].Name);
        }
    }

    [Fact]
    public void Route_WeightsChangeFrom90To75_OnlyKeysIntoTheGrowingVariantMove()
    {
        var before = RouteAll(Router(("primary", 90), ("canary", 10)));
        var after = RouteAll(Router(("primary", 75), ("canary", 25)));

        var primaryToCanary = 0;
        for (var i = 0; i < Keys; i++)
        {
            Assert.False(before[i] == 1 && after[i] == 0, $"key {i} moved from canary back to primary");
            primaryToCanary += before[i] == 0 && after[i] == 1 ? 1 : 0;
        }

        Assert.InRange(primaryToCanary / (double)Keys, 0.14, 0.16);
    }

    [Fact]
    public void Route_ThirdVariantAdded_KeysOnlyMoveIntoIt()
    {
        var before = RouteAll(Router(("a", 90), ("b", 10)));
        var after = RouteAll(Router(("a", 81), ("b", 9), ("c", 10)));

        var moved = 0;
        for (var i = 0; i < Keys; i++)
        {
            if (before[i] != after[i])
            {
                Assert.Equal(2, after[i]);
                moved++;
            }
        }

        Assert.InRange(moved / (double)Keys, 0.09, 0.11);
    }

    [Fact]
    public void Route_ZeroWeightVariant_NeverGetsTraffic()
    {
        var router = Router(("a", 50), ("shadow", 0), ("b", 50));

        var routes = RouteAll(router);

        Assert.DoesNotContain(1, routes);
        Assert.Equal(0, router.Share(1));
        Assert.DoesNotContain(1, Enumerable.Range(0, 10_000).Select(_ => router.RouteRandom()));
    }

    [Fact]
    public void Route_OnePositiveVariant_AlwaysIt()
    {
        var router = Router(("old", 0), ("new", 3));

        Assert.All(Enumerable.Range(0, 1000), i => Assert.Equal(1, router.Route($"k{i}")));
        Assert.Equal(1, router.RouteRandom());
        Assert.Equal(1, router.Route([]));
    }

    [Fact]
    public void RouteRandom_200kDraws_HonoursWeights()
    {
        var router = Router(("a", 1), ("b", 3));

        var routes = Enumerable.Range(0, 200_000).Select(_ => router.RouteRandom()).ToArray();

        var shares = Shares(routes, 2);
        Assert.InRange(shares[0], 0.24, 0.26);
        Assert.InRange(shares[1], 0.74, 0.76);
    }

    [Fact]
    public void RouteUniform_Boundaries_FollowCumulativeWeights()
    {
        var router = Router(("a", 25), ("zero", 0), ("b", 75));

        Assert.Equal(0, router.RouteUniform(0));
        Assert.Equal(0, router.RouteUniform(0.2499));
        Assert.Equal(2, router.RouteUniform(0.25));
        Assert.Equal(2, router.RouteUniform(0.9999999));
    }

    [Fact]
    public void Route_Steady_AllocatesNothing()
    {
        var router = Router(("a", 50), ("b", 30), ("c", 20));
        var key = "3f2504e0-4f89-11d3-9a0c-0305e82c3301".AsSpan();
        var sink = router.Route(key) + router.RouteRandom();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            sink += router.Route(key) + router.RouteRandom();
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        Assert.True(sink >= 0);
    }

    [Theory]
    [InlineData("a", -1.0)]
    [InlineData("a", double.NaN)]
    [InlineData("a", double.PositiveInfinity)]
    [InlineData("", 1.0)]
    public void Constructor_InvalidVariant_Throws(string name, double weight) =>
        Assert.Throws<ArgumentException>(() => Router(("ok", 1), (name, weight)));

    [Fact]
    public void Constructor_DuplicateNamesOrNoPositiveWeight_Throws()
    {
        Assert.Throws<ArgumentException>(() => Router(("a", 1), ("a", 2)));
        Assert.Throws<ArgumentException>(() => Router(("a", 0), ("b", 0)));
        Assert.Throws<ArgumentException>(() => Router());
    }
}
