using System.Diagnostics;
using System.Globalization;

namespace Kiln.Monitoring.Metrics;

/// <summary>
/// The standard <c>process_*</c> metrics (as the Go and Python clients name them): CPU seconds,
/// resident and virtual memory, start time, open and maximum file descriptors, threads. File
/// descriptors are read from <c>/proc</c> and left out where it does not exist.
/// </summary>
public sealed class ProcessMetricsCollector : IMetricsCollector
{
    private const string ProcFd = "/proc/self/fd";
    private const string ProcLimits = "/proc/self/limits";

    private readonly Lock _gate = new();
    private readonly Process _process = Process.GetCurrentProcess();
    private readonly double _startTimeSeconds;

    /// <summary>Reads the process start time once; everything else is read at each scrape.</summary>
    public ProcessMetricsCollector()
    {
        _startTimeSeconds = new DateTimeOffset(_process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;
    }

    /// <inheritdoc />
    public IReadOnlyCollection<string> FamilyNames { get; } =
    [
        "process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes",
        "process_start_time_seconds", "process_open_fds", "process_max_fds", "process_threads",
    ];

    /// <inheritdoc />
    public void Collect(PrometheusTextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        long virtualBytes;
        int threads;
        lock (_gate)
        {
            _process.Refresh();
            virtualBytes = _process.VirtualMemorySize64;
            threads = _process.Threads.Count;
        }

        Write(writer, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", MetricType.Counter, Environment.CpuUsage.TotalTime.TotalSeconds);
        Write(writer, "process_resident_memory_bytes", "Resident memory size in bytes.", MetricType.Gauge, Environment.WorkingSet);
        Write(writer, "process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType.Gauge, virtualBytes);
        Write(writer, "process_start_time_seconds", "Start time of the process since unix epoch in seconds.", MetricType.Gauge, _startTimeSeconds);
        if (Directory.Exists(ProcFd))
        {
            Write(writer, "process_open_fds", "Number of open file descriptors.", MetricType.Gauge, OpenFileDescriptors() ?? 0);
        }

        if (MaxFileDescriptors() is { } max)
        {
            Write(writer, "process_max_fds", "Maximum number of open file descriptors.", MetricType.Gauge, max);
        }

        Write(writer, "process_threads", "Number of OS threads in the process.", MetricType.Gauge, threads);
    }

    private static void Write(PrometheusTextWriter writer, string name, string help, MetricType type, double value)
    {
        writer.WriteFamily(name, help, type);
        writer.WriteSample(name, value);
    }

    /// <summary>The descriptors this process has open now (Linux: <c>/proc/self/fd</c>), or null where that cannot be read.</summary>
    public static int? OpenFileDescriptors()
    {
        if (!Directory.Exists(ProcFd))
        {
            return null;
        }

        // Enumerating the folder opens one descriptor of its own.
        var count = Directory.EnumerateFileSystemEntries(ProcFd).Count();
        return Math.Max(0, count - 1);
    }

    /// <summary>The soft limit from the "Max open files" line of /proc/self/limits, if there is one (Linux only).</summary>
    public static long? MaxFileDescriptors()
    {
        if (!File.Exists(ProcLimits))
        {
            return null;
        }

        foreach (var line in File.ReadLines(ProcLimits))
        {
            if (!line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                continue;
            }

            var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 0 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var soft) ? soft : null;
        }

        return null;
    }
}
