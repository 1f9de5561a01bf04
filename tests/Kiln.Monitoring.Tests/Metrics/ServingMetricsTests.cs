using Kiln.Monitoring.Metrics;
using Kiln.Monitoring.Traffic;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Monitoring.Tests.Metrics;

public class ServingMetricsTests
{
    private readonly MetricsRegistry _registry = new();
    private readonly TrafficWindows _traffic = new(new FakeTimeProvider());

    [Fact]
    public void RecordRequest_CountsPerStatusAndFailures()
    {
        var metrics = new ServingMetrics(_registry, _traffic);

        metrics.RecordRequest("v2", "gbt", "primary", "1", 200, 0.0004, 300, 120, 6);
        metrics.RecordRequest("v2", "gbt", "primary", "1", 200, 0.0006, 300, 120, 6);
        metrics.RecordRequest("v2", "gbt", "primary", "1", 503, 0.002, 0, 0, 0);
        metrics.RecordRequest("v1", null, null, null, 401, 0.0001, 0, 0, 0);

        var text = _registry.Scrape();
        Assert.Contains("kiln_inference_requests_total{protocol=\"v2\",deployment=\"gbt\",variant=\"primary\",model_version=\"1\",code=\"200\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("kiln_inference_requests_total{protocol=\"v2\",deployment=\"gbt\",variant=\"primary\",model_version=\"1\",code=\"503\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("kiln_inference_requests_total{protocol=\"v1\",deployment=\"\",variant=\"\",model_version=\"\",code=\"401\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("kiln_inference_request_failures_total{protocol=\"v2\",deployment=\"gbt\",variant=\"primary\",model_version=\"1\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("kiln_inference_request_duration_seconds_bucket{protocol=\"v2\",deployment=\"gbt\",variant=\"primary\",model_version=\"1\",le=\"0.0005\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("kiln_inference_request_duration_seconds_count{protocol=\"v2\",deployment=\"gbt\",variant=\"primary\",model_version=\"1\"} 3\n", text, StringComparison.Ordinal);
        // Sizes and rows of the failed request are not known, so not observed.
        Assert.Contains("kiln_inference_request_rows_count{protocol=\"v2\",deployment=\"gbt\",variant=\"primary\",model_version=\"1\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("kiln_inference_request_rows_sum{protocol=\"v2\",deployment=\"gbt\",variant=\"primary\",model_version=\"1\"} 12\n", text, StringComparison.Ordinal);
        Assert.Contains("kiln_inference_request_size_bytes_sum{protocol=\"v2\",deployment=\"gbt\",variant=\"primary\",model_version=\"1\"} 600\n", text, StringComparison.Ordinal);
        Assert.Contains("kiln_inference_response_size_bytes_count{protocol=\"v2\",deployment=\"gbt\",variant=\"primary\",model_version=\"1\"} 2\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void RecordRequest_FeedsTrafficWindowsForKnownDeployments()
    {
        var metrics = new ServingMetrics(_registry, _traffic);

        metrics.RecordRequest("v2", "gbt", "primary", "1", 200, 0.001, 1, 1, 1);
        metrics.RecordRequest("mlflow", "gbt", "primary", "1", 500, 0.001, 1, 1, 1);
        metrics.RecordRequest("v1", null, null, null, 401, 0.001, 0, 0, 0);

        var snapshot = _traffic.Snapshot("gbt", TimeSpan.FromMinutes(5));
        Assert.Equal(2, snapshot.Requests);
        Assert.Equal(0.5, snapshot.ErrorRate);
        Assert.Equal(["gbt"], _traffic.Deployments);
    }

    [Fact]
    public void InFlight_PerProtocol()
    {
        var metrics = new ServingMetrics(_registry, _traffic);
        var v2 = metrics.InFlight("v2");

        v2.Increment();
        v2.Increment();
        v2.Decrement();

        Assert.Same(v2, metrics.InFlight("v2"));
        Assert.Contains("kiln_inference_requests_in_flight{protocol=\"v2\"} 1\n", _registry.Scrape(), StringComparison.Ordinal);
    }

    [Fact]
    public void RecordModelLoad_AndFailures()
    {
        var metrics = new ServingMetrics(_registry, _traffic);

        metrics.RecordModelLoad("gbt", "gbt-model", "3", 1.7);
        metrics.RecordModelLoadFailure("gbt", "gbt-model", "4");

        var text = _registry.Scrape();
        Assert.Contains("kiln_model_load_duration_seconds_bucket{deployment=\"gbt\",model=\"gbt-model\",version=\"3\",le=\"2.5\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("kiln_model_load_failures_total{deployment=\"gbt\",model=\"gbt-model\",version=\"4\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void RecordRequest_BeyondSeriesCap_CountsUnderOverflow()
    {
        var metrics = new ServingMetrics(_registry, _traffic, maxSeries: 2);

        metrics.RecordRequest("v2", "a", null, null, 404, 0.001, 0, 0, 0);
        metrics.RecordRequest("v2", "b", null, null, 404, 0.001, 0, 0, 0);
        metrics.RecordRequest("v2", "c", null, null, 404, 0.001, 0, 0, 0);
        metrics.RecordRequest("v2", "d", null, null, 404, 0.001, 0, 0, 0);

        var text = _registry.Scrape();
        Assert.DoesNotContain("deployment=\"c\"", text, StringComparison.Ordinal);
        Assert.Contains("kiln_inference_requests_total{protocol=\"v2\",deployment=\"_overflow\",variant=\"\",model_version=\"\",code=\"404\"} 2\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("_overflow", _traffic.Deployments);
    }

    [Fact]
    public void RemoveDeployment_DropsItsSeries()
    {
        var metrics = new ServingMetrics(_registry, _traffic);
        metrics.RecordRequest("v2", "gone", "primary", "1", 200, 0.001, 1, 1, 1);
        metrics.RecordRequest("v2", "kept", "primary", "1", 200, 0.001, 1, 1, 1);
        metrics.RecordModelLoad("gone", "m", "1", 1);

        metrics.RemoveDeployment("gone");

        var text = _registry.Scrape();
        Assert.DoesNotContain("\"gone\"", text, StringComparison.Ordinal);
        Assert.Contains("deployment=\"kept\"", text, StringComparison.Ordinal);
        Assert.Equal(0, _traffic.Snapshot("gone", TimeSpan.FromMinutes(1)).Requests);
    }

    [Fact]
    public void RecordRequest_ExistingSeries_AllocatesNothing()
    {
        var metrics = new ServingMetrics(_registry, new TrafficWindows(TimeProvider.System));
        // Strings built at run time, as the router hands them over: equal by value, not the same instances.
        var deployment = new string("gbt".AsSpan());
        var variant = new string("primary".AsSpan());
        var version = new string("1".AsSpan());
        var inFlight = metrics.InFlight("v2");
        for (var i = 0; i < 1_000; i++)
        {
            Record(metrics, inFlight, deployment, variant, version, i);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            Record(metrics, inFlight, deployment, variant, version, i);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    private static void Record(ServingMetrics metrics, Gauge inFlight, string deployment, string variant, string version, int i)
    {
        inFlight.Increment();
        metrics.RecordRequest("v2", deployment, variant, version, i % 10 == 0 ? 500 : 200, 0.0003, 400, 200, 6);
        inFlight.Decrement();
    }
}
