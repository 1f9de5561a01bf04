namespace Kiln.Monitoring.Metrics;

/// <summary>
/// The <c>dotnet_*</c> metrics read from the GC and thread pool APIs: collections per generation,
/// heap and committed bytes, bytes allocated, total GC pause time, thread pool threads and queue,
/// lock contentions.
/// </summary>
public sealed class RuntimeMetricsCollector : IMetricsCollector
{
    private static readonly string[] Generation = ["generation"];
    private static readonly string[][] Generations = [["0"], ["1"], ["2"]];

    /// <inheritdoc />
    public IReadOnlyCollection<string> FamilyNames { get; } =
    [
        "dotnet_gc_collections_total", "dotnet_gc_heap_size_bytes", "dotnet_gc_committed_bytes", "dotnet_gc_allocated_bytes_total",
        "dotnet_gc_pause_seconds_total", "dotnet_thread_pool_threads", "dotnet_thread_pool_queue_length",
        "dotnet_thread_pool_completed_items_total", "dotnet_monitor_lock_contentions_total",
    ];

    /// <inheritdoc />
    public void Collect(PrometheusTextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteFamily("dotnet_gc_collections_total", "Garbage collections since the process started, by generation (a collection of generation n also collects the younger ones).", MetricType.Counter);
        for (var gen = 0; gen <= 2; gen++)
        {
            writer.WriteSample("dotnet_gc_collections_total", Generation, Generations[gen], GC.CollectionCount(gen));
        }

        var info = GC.GetGCMemoryInfo();
        Write(writer, "dotnet_gc_heap_size_bytes", "Managed heap size in bytes after the last garbage collection, fragmentation included.", MetricType.Gauge, info.HeapSizeBytes);
        Write(writer, "dotnet_gc_committed_bytes", "Memory committed by the GC in bytes.", MetricType.Gauge, info.TotalCommittedBytes);
        Write(writer, "dotnet_gc_allocated_bytes_total", "Bytes allocated on the managed heap since the process started.", MetricType.Counter, GC.GetTotalAllocatedBytes(precise: false));
        Write(writer, "dotnet_gc_pause_seconds_total", "Time the runtime was paused for garbage collection, in seconds.", MetricType.Counter, GC.GetTotalPauseDuration().TotalSeconds);
        Write(writer, "dotnet_thread_pool_threads", "Thread pool threads that currently exist.", MetricType.Gauge, ThreadPool.ThreadCount);
        Write(writer, "dotnet_thread_pool_queue_length", "Work items queued to the thread pool and not yet started.", MetricType.Gauge, ThreadPool.PendingWorkItemCount);
        Write(writer, "dotnet_thread_pool_completed_items_total", "Work items the thread pool has completed.", MetricType.Counter, ThreadPool.CompletedWorkItemCount);
        Write(writer, "dotnet_monitor_lock_contentions_total", "Times a thread found a monitor lock taken and had to wait.", MetricType.Counter, Monitor.LockContentionCount);
    }

    private static void Write(PrometheusTextWriter writer, string name, string help, MetricType type, double value)
    {
        writer.WriteFamily(name, help, type);
        writer.WriteSample(name, value);
    }
}
