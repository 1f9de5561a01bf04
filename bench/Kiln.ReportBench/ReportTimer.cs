using System.Diagnostics;
using System.Globalization;

namespace Kiln.ReportBench;

/// <summary>Times GET requests end to end (send, server work, whole body read): one warm-up, then N runs.</summary>
public sealed class ReportTimer(HttpClient http, int runs)
{
    public sealed record Result(string Name, double[] Milliseconds, long Bytes)
    {
        public double Median => Sorted[Sorted.Length / 2];

        private double[] Sorted => [.. Milliseconds.Order()];

        public string Row() => string.Create(CultureInfo.InvariantCulture,
            $"| {Name} | {Milliseconds.Length} | {Sorted[0]:0} | {Median:0} | {Sorted[^1]:0} | {Bytes / 1024.0:0.#} KB |");
    }

    /// <summary>Each run sends <paramref name="paths"/> one after the other and counts their total time.</summary>
    public async Task<Result> TimeAsync(string name, IReadOnlyList<string> paths)
    {
        await SendAllAsync(paths);
        var times = new double[runs];
        long bytes = 0;
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            bytes = await SendAllAsync(paths);
            times[i] = clock.Elapsed.TotalMilliseconds;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# {name}: {string.Join(", ", times.Select(t => t.ToString("0", CultureInfo.InvariantCulture)))} ms"));
        return new Result(name, times, bytes);
    }

    private async Task<long> SendAllAsync(IReadOnlyList<string> paths)
    {
        long bytes = 0;
        foreach (var path in paths)
        {
            using var response = await http.GetAsync(path);
            var body = await response.Content.ReadAsByteArrayAsync();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
            }

            bytes += body.Length;
        }

        return bytes;
    }
}
