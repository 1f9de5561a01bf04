using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Kiln.EndToEnd.Tests;

/// <summary>The real <c>kiln</c> program, as built by the Kiln.Cli project, run as a child process.</summary>
internal sealed class KilnProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private KilnProcess(Process process, Uri url)
    {
        _process = process;
        Url = url;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri Url { get; }

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <c>kiln serve</c> on a free loopback port and waits until it answers liveness.</summary>
    /// <param name="openFileLimit">When set, the server runs under <c>prlimit</c> with this soft and hard open-file limit.</param>
    public static async Task<KilnProcess> StartServerAsync(string dataDir, IDictionary<string, string> environment, int? openFileLimit = null)
    {
        var url = new Uri($"http://127.0.0.1:{FreePort()}/");
        var process = Start(["serve", "--urls", url.ToString().TrimEnd('/'), "--data-dir", dataDir], environment, openFileLimit);
        var server = new KilnProcess(process, url);
        using var http = new HttpClient { BaseAddress = url };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"kiln serve exited with {process.ExitCode}:\n{server.Output}");
            }

            try
            {
                using var response = await http.GetAsync("health/live");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(50);
        }

        await server.DisposeAsync();
        throw new TimeoutException($"kiln serve did not answer in time:\n{server.Output}");
    }

    /// <summary>Starts a long-running command and waits until its output contains <paramref name="readyText"/>.</summary>
    public static async Task<KilnProcess> StartUntilAsync(Uri url, string readyText, TimeSpan timeout, IDictionary<string, string> environment, params string[] args)
    {
        var server = new KilnProcess(Start(args, environment), url);
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (server.Output.Contains(readyText, StringComparison.Ordinal))
            {
                return server;
            }

            if (server._process.HasExited)
            {
                throw new InvalidOperationException($"kiln {string.Join(' ', args)} exited with {server._process.ExitCode}:\n{server.Output}");
            }

            await Task.Delay(100);
        }

        await server.DisposeAsync();
        throw new TimeoutException($"kiln {string.Join(' ', args)} did not say '{readyText}' within {timeout}:\n{server.Output}");
    }

    public static Uri FreeUrl() => new($"http://127.0.0.1:{FreePort()}/");

    /// <summary>Runs one CLI command to completion; returns its exit code, stdout and stderr.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IDictionary<string, string> environment, params string[] args)
    {
        using var process = Start(args, environment);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// Runs one CLI command to completion, sampling its peak resident memory (the kernel's VmHWM) as it runs;
    /// returns its exit code, stdout, stderr and that peak in bytes.
    /// </summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr, long PeakRssBytes)> RunMeasuredAsync(IDictionary<string, string> environment, TimeSpan timeout, params string[] args)
    {
        using var process = Start(args, environment);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var status = $"/proc/{process.Id}/status";
        long peak = 0;
        using var deadline = new CancellationTokenSource(timeout);
        while (!process.HasExited)
        {
            try
            {
                var line = (await File.ReadAllLinesAsync(status, deadline.Token)).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
                if (line is not null)
                {
                    peak = Math.Max(peak, long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024);
                }
            }
            catch (IOException)
            {
                // The process ended between the check and the read.
            }

            await Task.Delay(50, deadline.Token);
        }

        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await stdout, await stderr, peak);
    }

    /// <summary>Ends the server the hard way (SIGKILL), as a crash or an OOM kill would.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private static Process Start(IEnumerable<string> args, IDictionary<string, string> environment, int? openFileLimit = null)
    {
        var info = new ProcessStartInfo(openFileLimit is null ? "dotnet" : "prlimit")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (openFileLimit is { } limit)
        {
            // The .NET runtime raises its soft limit to the hard one at start, so both are lowered.
            info.ArgumentList.Add($"--nofile={limit}:{limit}");
            info.ArgumentList.Add("--");
            info.ArgumentList.Add("dotnet");
        }

        info.ArgumentList.Add(KilnDll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        return Process.Start(info) ?? throw new InvalidOperationException("Could not start dotnet.");
    }

    /// <summary>kiln.dll from the Kiln.Cli build of the same configuration as this test assembly.</summary>
    private static string KilnDll
    {
        get
        {
            var baseDir = AppContext.BaseDirectory;
            var configuration = baseDir.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            var root = new DirectoryInfo(baseDir);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "Kiln.slnx")))
            {
                root = root.Parent;
            }

            var dll = Path.Combine(root?.FullName ?? throw new InvalidOperationException("Kiln.slnx not found above the test folder."),
                "src", "Kiln.Cli", "bin", configuration, "net10.0", "kiln.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build Kiln.Cli first: {dll} is missing.", dll);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
