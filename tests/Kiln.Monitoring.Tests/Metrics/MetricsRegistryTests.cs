using Kiln.Monitoring.Metrics;

namespace Kiln.Monitoring.Tests.Metrics;

public class MetricsRegistryTests
{
    [Fact]
    public void Counter_WritesHelpTypeAndValue()
    {
        var registry = new MetricsRegistry();
        var counter = registry.CreateCounter("jobs_total", "Jobs done.");

        counter.Increment();
        counter.Add(2);

        Assert.Equal("# HELP jobs_total Jobs done.\n# TYPE jobs_total counter\njobs_total 3\n", registry.Scrape());
    }

    [Fact]
    public void CounterFamily_SeriesSortedByLabelValues()
    {
        var registry = new MetricsRegistry();
        var family = registry.CreateCounterFamily("req_total", "Requests.", "deployment", "code");

        family.WithLabels("b", "200").Increment();
        family.WithLabels("a", "500").Add(2);
        family.WithLabels("a", "200").Increment();
        family.WithLabels("b", "200").Increment();

        Assert.Equal("""
            # HELP req_total Requests.
            # TYPE req_total counter
            req_total{deployment="a",code="200"} 1
            req_total{deployment="a",code="500"} 2
            req_total{deployment="b",code="200"} 2

            """.ReplaceLineEndings("\n"), registry.Scrape());
    }

    [Fact]
    public void WithLabels_SameValues_SameSeries_NullIsEmpty()
    {
        var family = new MetricsRegistry().CreateGaugeFamily("g", "G.", "a", "b");

        Assert.Same(family.WithLabels("x", null), family.WithLabels("x", ""));
        Assert.NotSame(family.WithLabels("x", "y"), family.WithLabels("y", "x"));
        Assert.Throws<ArgumentException>(() => family.WithLabels("x"));
    }

    [Fact]
    public void Gauge_IncrementDecrementSet()
    {
        var registry = new MetricsRegistry();
        var gauge = registry.CreateGauge("in_flight", "In flight.");

        gauge.Increment();
        gauge.Increment();
        gauge.Decrement();
        Assert.Equal(1, gauge.Value);
        gauge.Set(-2.5);

        Assert.EndsWith("in_flight -2.5\n", registry.Scrape(), StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyLabelledFamily_IsNotWritten()
    {
        var registry = new MetricsRegistry();
        registry.CreateCounterFamily("none_total", "Nothing yet.", "x");

        Assert.Equal("", registry.Scrape());
    }

    [Theory]
    [InlineData("bad-name")]
    [InlineData("1starts_with_digit")]
    [InlineData("")]
    public void InvalidMetricName_Throws(string name) =>
        Assert.ThrowsAny<ArgumentException>(() => new MetricsRegistry().CreateGauge(name, "x"));

    [Theory]
    [InlineData("__reserved")]
    [InlineData("has space")]
    [InlineData("a:b")]
    public void InvalidLabelName_Throws(string label) =>
        Assert.Throws<ArgumentException>(() => new MetricsRegistry().CreateGaugeFamily("g", "x", label));

    [Fact]
    public void HistogramWithLeLabel_Throws() =>
        Assert.Throws<ArgumentException>(() => new MetricsRegistry().CreateHistogramFamily("h", "x", [1], "le"));

    [Fact]
    public void CounterWithoutTotalSuffix_Throws()
    {
        var registry = new MetricsRegistry();

        Assert.Throws<ArgumentException>(() => registry.CreateCounter("jobs", "x"));
        Assert.Throws<ArgumentException>(() => registry.RegisterCallbackCounter("jobs", "x", () => 1));
    }

    [Fact]
    public void DuplicateName_Throws()
    {
        var registry = new MetricsRegistry();
        registry.CreateGauge("queue_depth", "x");

        Assert.Throws<InvalidOperationException>(() => registry.RegisterCallbackGauge("queue_depth", "x", () => 1));
    }

    [Fact]
    public void CallbackGauge_ReadAtEachScrape()
    {
        var registry = new MetricsRegistry();
        var depth = 3;
        registry.RegisterCallbackGauge("kiln_prediction_log_queue_depth", "Queued records.", () => depth);

        Assert.EndsWith("kiln_prediction_log_queue_depth 3\n", registry.Scrape(), StringComparison.Ordinal);
        depth = 7;
        Assert.EndsWith("kiln_prediction_log_queue_depth 7\n", registry.Scrape(), StringComparison.Ordinal);
    }

    [Fact]
    public void LabelledCallbackCounter_WritesEverySeries()
    {
        var registry = new MetricsRegistry();
        registry.RegisterCallbackCounter("kiln_prediction_log_dropped_total", "Dropped records.", ["deployment"],
            () => [new LabelledValue(["a"], 1), new LabelledValue(["b"], 2)]);

        Assert.Equal("""
            # HELP kiln_prediction_log_dropped_total Dropped records.
            # TYPE kiln_prediction_log_dropped_total counter
            kiln_prediction_log_dropped_total{deployment="a"} 1
            kiln_prediction_log_dropped_total{deployment="b"} 2

            """.ReplaceLineEndings("\n"), registry.Scrape());
    }

    [Fact]
    public void ThrowingCallback_DropsOnlyItsFamily()
    {
        var registry = new MetricsRegistry();
        registry.RegisterCallbackGauge("broken", "Broken.", () => throw new InvalidOperationException("boom"));
        registry.CreateGauge("fine", "Fine.").Set(1);

        var text = registry.Scrape();

        Assert.DoesNotContain("broken", text, StringComparison.Ordinal);
        Assert.Contains("fine 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ProcessAndRuntimeCollectors_WriteStandardFamilies()
    {
        var registry = new MetricsRegistry();
        registry.AddCollector(new ProcessMetricsCollector());
        registry.AddCollector(new RuntimeMetricsCollector());

        var text = registry.Scrape();

        foreach (var family in new[]
        {
            "process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes", "process_start_time_seconds",
            "process_threads", "dotnet_gc_heap_size_bytes", "dotnet_gc_allocated_bytes_total", "dotnet_gc_pause_seconds_total",
            "dotnet_thread_pool_threads", "dotnet_thread_pool_queue_length",
        })
        {
            Assert.Contains($"# TYPE {family} ", text, StringComparison.Ordinal);
        }

        Assert.Contains("dotnet_gc_collections_total{generation=\"2\"} ", text, StringComparison.Ordinal);
        if (OperatingSystem.IsLinux())
        {
            Assert.Contains("# TYPE process_open_fds gauge", text, StringComparison.Ordinal);
            Assert.Contains("# TYPE process_max_fds gauge", text, StringComparison.Ordinal);
        }
    }
}
