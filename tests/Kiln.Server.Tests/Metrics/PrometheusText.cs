using System.Globalization;

namespace Kiln.Server.Tests.Metrics;

/// <summary>Samples of a scrape keyed by their text, e.g. <c>name{a="b"}</c>, for exact assertions.</summary>
internal static class PrometheusText
{
    public static Dictionary<string, double> Samples(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            samples[line[..space]] = line[(space + 1)..] switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                var value => double.Parse(value, CultureInfo.InvariantCulture),
            };
        }

        return samples;
    }

    public static string Serving(string name, string protocol, string deployment, string variant, string version, string? code = null) =>
        $"{name}{{protocol=\"{protocol}\",deployment=\"{deployment}\",variant=\"{variant}\",model_version=\"{version}\"" +
        (code is null ? "}" : $",code=\"{code}\"}}");
}
