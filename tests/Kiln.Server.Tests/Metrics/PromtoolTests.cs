using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests.Metrics;

/// <summary>Prometheus's own checker accepts what Kiln serves and ships: the live scrape, the rules and the sample config.</summary>
public class PromtoolTests(DeployedGbtFixture fixture) : IClassFixture<DeployedGbtFixture>
{
    [Fact]
    public async Task Scrape_PassesPromtoolCheckMetrics()
    {
        using var http = fixture.Factory.CreateHttpClient();
        const string Row = """{"inputs":[{"name":"float_input","shape":[1,7],"datatype":"FP32","data":[35,1500.5,15,240,2,-1,0]}]}""";
        (await http.PostAsync("/v2/models/gbt/infer", Requests.Json(Row))).Dispose();
        (await http.PostAsync("/v2/models/gbt/infer", Requests.Json("{"))).Dispose();
        (await http.PostAsync("/v1/models/gbt:predict", Requests.Json("""{"instances":[[1,2,3,4,5,6,7]]}"""))).Dispose();
        (await http.PostAsync("/deployments/gbt/invocations", Requests.Json("""{"instances":[[1,2,3,4,5,6,7]]}"""))).Dispose();
        (await http.PostAsync("/deployments/nope/invocations", Requests.Json("{}"))).Dispose();
        var text = await MetricsEndpointTests.ScrapeAsync(http);

        var (exitCode, output) = await Promtool.RunAsync(["check", "metrics"], text);

        Assert.True(exitCode == 0 && output.Length == 0, $"promtool check metrics exited {exitCode}:\n{output}\n--- scrape ---\n{text}");
        Assert.Contains("kiln_inference_request_duration_seconds_bucket{", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rules_PassPromtoolCheckRules()
    {
        var (exitCode, output) = await Promtool.RunAsync(["check", "rules", RepoRoot.Combine("deploy", "prometheus", "kiln-rules.yml")]);

        Assert.True(exitCode == 0, $"promtool check rules exited {exitCode}:\n{output}");
    }

    [Fact]
    public async Task Config_PassesPromtoolCheckConfig()
    {
        var (exitCode, output) = await Promtool.RunAsync(["check", "config", RepoRoot.Combine("deploy", "prometheus", "prometheus.yml")]);

        Assert.True(exitCode == 0, $"promtool check config exited {exitCode}:\n{output}");
    }
}
