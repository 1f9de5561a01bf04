using System.Text.Json;

namespace Kiln.Monitoring.Tests.Statistics;

/// <summary>Reads the expected values written by tools/stats/make_fixtures.py.</summary>
internal static class Fixture
{
    public static JsonElement Load(string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", file);
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.Clone();
    }

    public static IEnumerable<JsonElement> Cases(string file, string property) => Load(file).GetProperty(property).EnumerateArray();

    public static double[] Doubles(this JsonElement element, string property) =>
        [.. element.GetProperty(property).EnumerateArray().Select(e => e.GetDouble())];

    public static int[] Ints(this JsonElement element, string property) =>
        [.. element.GetProperty(property).EnumerateArray().Select(e => e.GetInt32())];

    public static string[] Strings(this JsonElement element, string property) =>
        [.. element.GetProperty(property).EnumerateArray().Select(e => e.GetString()!)];

    public static double Number(this JsonElement element, string property) => element.GetProperty(property).GetDouble();

    public static double? NullableNumber(this JsonElement element, string property) =>
        element.GetProperty(property).ValueKind == JsonValueKind.Null ? null : element.GetProperty(property).GetDouble();

    public static string Name(this JsonElement element) => element.GetProperty("name").GetString()!;
}

internal static class Expect
{
    /// <summary>Relative closeness, with an absolute floor for values near zero.</summary>
    public static void Close(double expected, double actual, double relative = 1e-9, string? what = null)
    {
        var tolerance = Math.Max(relative * Math.Abs(expected), relative * 1e-3);
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{what}: expected {expected:R}, got {actual:R} (tolerance {tolerance:R})");
    }
}

/// <summary>Deterministic normal and lognormal samples (Box–Muller on a seeded <see cref="Random"/>).</summary>
internal static class Samples
{
    public static double[] Normal(int seed, int count, double mean = 0, double sd = 1)
    {
        var random = new Random(seed);
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            values[i] = mean + (sd * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }

        return values;
    }

    public static double[] LogNormal(int seed, int count, double mu = 0, double sigma = 1) =>
        [.. Normal(seed, count, mu, sigma).Select(Math.Exp)];
}
