using BenchmarkDotNet.Attributes;
using Kiln.Inference.Routing;

namespace Kiln.Benchmarks;

/// <summary>
/// Per-request cost of picking a variant. The baseline is a single-variant router (the short-circuit every
/// deployment without a rollout takes); keyed routes hash a GUID-shaped session id once and score each variant.
/// </summary>
[MemoryDiagnoser]
public class RouterBenchmarks
{
    private const string Key = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
    private VariantRouter _single = null!;
    private VariantRouter _canary = null!;
    private VariantRouter _three = null!;

    [GlobalSetup]
    public void Setup()
    {
        _single = new VariantRouter([new RouteVariant("v1", 100)]);
        _canary = new VariantRouter([new RouteVariant("v1", 90), new RouteVariant("v2", 10)]);
        _three = new VariantRouter([new RouteVariant("v1", 80), new RouteVariant("v2", 10), new RouteVariant("v3", 10)]);
    }

    [Benchmark(Baseline = true, Description = "single variant (short-circuit)")]
    public int Single() => _single.Route(Key);

    [Benchmark(Description = "sticky key, 2 variants")]
    public int StickyTwo() => _canary.Route(Key);

    [Benchmark(Description = "sticky key, 3 variants")]
    public int StickyThree() => _three.Route(Key);

    [Benchmark(Description = "no key, weighted random, 2 variants")]
    public int RandomTwo() => _canary.RouteRandom();
}
