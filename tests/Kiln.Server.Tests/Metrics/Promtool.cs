using System.Diagnostics;

namespace Kiln.Server.Tests.Metrics;

/// <summary>
/// Runs Prometheus's own checker. It is a hard requirement of these tests (CI installs the Debian
/// package <c>prometheus</c>); a missing promtool fails with the command that fixes it.
/// </summary>
internal static class Promtool
{
    public const string Missing = "promtool not found on PATH or in /usr/bin: apt-get install prometheus (CI installs it in .ci/run).";

    public static string Executable { get; } = Find("promtool") ?? throw new InvalidOperationException(Missing);

    /// <summary>Finds an executable on PATH (or /usr/bin), or null.</summary>
    public static string? Find(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin")
            .Select(dir => System.IO.Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>Runs promtool with <paramref name="arguments"/>, feeding <paramref name="stdin"/>; returns its exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> arguments, string? stdin = null)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoRoot.Path,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("promtool did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await stdout + await stderr).Trim());
    }
}
