using System.Net;
using Kiln.Core.Security;
using Kiln.Monitoring.Traffic;
using Kiln.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Kiln.Server.Tests.Metrics.PrometheusText;

namespace Kiln.Server.Tests.Metrics;

public class MetricsEndpointTests(DeployedGbtFixture fixture) : IClassFixture<DeployedGbtFixture>
{
    private const string V2Row = """{"inputs":[{"name":"float_input","shape":[1,7],"datatype":"FP32","data":[35,1500.5,15,240,2,-1,0]}]}""";
    private const string V2WrongShape = """{"inputs":[{"name":"float_input","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}""";
    private const string Instances = """{"instances":[[35,1500.5,15,240,2,-1,0],[40,10,1,100,1,-1,0]]}""";

    [Fact]
    public async Task Metrics_AfterInferenceRequests_CountsPerDeploymentVersionAndStatus()
    {
        // A deployment of its own, so other tests of this class do not move its counts.
        await Requests.DeployGbtAsync(fixture.Factory, deployment: "counted", model: "counted");
        using var http = fixture.Factory.CreateHttpClient();
        using var anonymous = fixture.Factory.CreateHttpClient(null);

        for (var i = 0; i < 3; i++)
        {
            await Expect(HttpStatusCode.OK, http.PostAsync("/v2/models/counted/infer", Requests.Json(V2Row)));
        }

        await Expect(HttpStatusCode.OK, http.PostAsync("/v1/models/counted:predict", Requests.Json(Instances)));
        await Expect(HttpStatusCode.OK, http.PostAsync("/deployments/counted/invocations", Requests.Json(Instances)));
        await Expect(HttpStatusCode.BadRequest, http.PostAsync("/v2/models/counted/infer", Requests.Json(V2WrongShape)));
        await Expect(HttpStatusCode.BadRequest, http.PostAsync("/v2/models/counted/infer", Requests.Json("{")));
        await Expect(HttpStatusCode.NotFound, http.PostAsync("/v2/models/counted/versions/9/infer", Requests.Json(V2Row)));
        await Expect(HttpStatusCode.Unauthorized, anonymous.PostAsync("/v2/models/counted/infer", Requests.Json(V2Row)));
        // Metadata and health are not inference: not counted.
        await Expect(HttpStatusCode.OK, http.GetAsync("/v2/models/counted"));
        await Expect(HttpStatusCode.OK, http.GetAsync("/v2/health/ready"));

        var samples = Samples(await ScrapeAsync(http));

        const string Requests_ = "kiln_inference_requests_total";
        Assert.Equal(3, samples[Serving(Requests_, "v2", "counted", "primary", "1", "200")]);
        Assert.Equal(2, samples[Serving(Requests_, "v2", "counted", "primary", "1", "400")]);
        Assert.Equal(1, samples[Serving(Requests_, "v1", "counted", "primary", "1", "200")]);
        Assert.Equal(1, samples[Serving(Requests_, "mlflow", "counted", "primary", "1", "200")]);
        // The version was never resolved, so the 404 has no variant or version.
        Assert.Equal(1, samples[Serving(Requests_, "v2", "counted", "", "", "404")]);
        // Rejected before routing: no deployment is known.
        Assert.Equal(1, samples[Serving(Requests_, "v2", "", "", "", "401")]);
        Assert.DoesNotContain(samples.Keys, k => k.StartsWith(Requests_, StringComparison.Ordinal) && k.Contains("code=\"200\"", StringComparison.Ordinal)
            && k.Contains("deployment=\"counted\"", StringComparison.Ordinal) && k.Contains("protocol=\"v2\"", StringComparison.Ordinal) && samples[k] != 3);

        Assert.Equal(0, samples[Serving("kiln_inference_request_failures_total", "v2", "counted", "primary", "1")]);
        Assert.Equal(5, samples[Serving("kiln_inference_request_duration_seconds_count", "v2", "counted", "primary", "1")]);
        Assert.Equal(3, samples[Serving("kiln_inference_request_rows_sum", "v2", "counted", "primary", "1")]);
        Assert.Equal(2, samples[Serving("kiln_inference_request_rows_sum", "v1", "counted", "primary", "1")]);
        Assert.Equal(2, samples[Serving("kiln_inference_request_rows_sum", "mlflow", "counted", "primary", "1")]);
        Assert.Equal(3, samples[Serving("kiln_inference_response_size_bytes_count", "v2", "counted", "primary", "1")]);
        Assert.True(samples[Serving("kiln_inference_request_size_bytes_sum", "v2", "counted", "primary", "1")] >= 3 * V2Row.Length);
        Assert.True(samples[Serving("kiln_inference_response_size_bytes_sum", "v1", "counted", "primary", "1")] > 0);
        Assert.Equal(0, samples["kiln_inference_requests_in_flight{protocol=\"v2\"}"]);
        Assert.True(samples["process_resident_memory_bytes"] > 0);
        Assert.True(samples["dotnet_gc_allocated_bytes_total"] > 0);

        var traffic = fixture.Factory.Services.GetRequiredService<TrafficWindows>().Snapshot("counted", TimeSpan.FromMinutes(5));
        Assert.Equal(8, traffic.Requests);
        Assert.Equal(3, traffic.ClientErrors);
        Assert.Equal(0, traffic.ServerErrors);
        Assert.NotNull(traffic.P99Seconds);
    }

    [Fact]
    public async Task Metrics_NeedsAViewerKey_AndAnswersTheTextFormat()
    {
        using var anonymous = fixture.Factory.CreateHttpClient(null);
        using var denied = await anonymous.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);

        using var admin = fixture.Factory.CreateKilnClient();
        var viewer = await admin.CreateKeyAsync("prometheus", KilnRole.Viewer);
        using var http = fixture.Factory.CreateHttpClient(viewer.Key);
        using var response = await http.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Contains("# TYPE process_cpu_seconds_total counter\n", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_AnonymousOption_OpensTheEndpoint()
    {
        using var factory = new KilnAppFactory(settings: new Dictionary<string, string?> { ["Kiln:Metrics:Anonymous"] = "true" });
        using var anonymous = factory.CreateHttpClient(null);

        using var response = await anonymous.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("dotnet_gc_heap_size_bytes", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    internal static async Task<string> ScrapeAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task Expect(HttpStatusCode expected, Task<HttpResponseMessage> send)
    {
        using var response = await send;
        Assert.True(expected == response.StatusCode, $"{response.RequestMessage?.RequestUri}: expected {(int)expected}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
