namespace Kiln.Monitoring.Metrics;

/// <summary>Bucket bounds used by Kiln's histograms.</summary>
public static class Buckets
{
    /// <summary>Request latency in seconds, fine enough for sub-millisecond serving.</summary>
    public static IReadOnlyList<double> LatencySeconds { get; } =
        [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>Body sizes in bytes: 64 B to 64 MiB in powers of four.</summary>
    public static IReadOnlyList<double> SizeBytes { get; } =
        [64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

    /// <summary>Rows in one inference request.</summary>
    public static IReadOnlyList<double> Rows { get; } =
        [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 100000];

    /// <summary>Loading and warming a model, in seconds.</summary>
    public static IReadOnlyList<double> LoadSeconds { get; } =
        [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
}
