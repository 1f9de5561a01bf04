namespace Kiln.EndToEnd.Tests;

/// <summary>
/// Nothing phones home: with an ONNX model registered, deployed and scoring, ONNX Runtime leaves no telemetry
/// state (its device id and event cache) under the user's cache folder, as it does when left as shipped.
/// </summary>
public sealed class OutboundTests : IDisposable
{
    private const string AdminKey = "kiln_e2e_admin_key_0123456789abcdef";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "kiln-e2e", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task OnnxRuntime_ScoringAModel_WritesNoTelemetryState()
    {
        var home = Path.Combine(_root, "home");
        Directory.CreateDirectory(home);
        var environment = new Dictionary<string, string>
        {
            ["KILN_ADMIN_KEY"] = AdminKey,
            ["KILN_API_KEY"] = AdminKey,
            ["HOME"] = home,
            ["XDG_CACHE_HOME"] = Path.Combine(home, ".cache"),
        };
        await using (var server = await KilnProcess.StartServerAsync(Path.Combine(_root, "data"), environment))
        {
            environment["KILN_SERVER"] = server.Url.ToString();
            var model = Path.Combine(AppContext.BaseDirectory, "models", "bank_columns.onnx");
            Assert.Equal(0, (await KilnProcess.RunAsync(environment, "models", "register", "cols", model)).ExitCode);
            Assert.Equal(0, (await KilnProcess.RunAsync(environment, "deploy", "cols", "--model", "cols/1")).ExitCode);
            await server.KillAsync();
        }

        var left = Directory.EnumerateFileSystemEntries(home, "*", SearchOption.AllDirectories).Where(p => p.Contains("onnxruntime", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(left.Count == 0, "ONNX Runtime left telemetry state: " + string.Join(", ", left));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
