using System.Text.Json;

namespace Kiln.EndToEnd.Tests;

/// <summary><c>kiln models profile</c> against the real program: demo data profiled and stored as an imported model's drift baseline.</summary>
public sealed class ModelsProfileCliTests : IDisposable
{
    private const string AdminKey = "kiln_e2e_admin_key_0123456789abcdef";
    private const string Features = "age,balance,day,duration,campaign,pdays,previous";
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "kiln-e2e", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task ModelsProfile_DemoData_StoresTheProfileAndReportsColumnsTheModelLacks()
    {
        var environment = new Dictionary<string, string> { ["KILN_ADMIN_KEY"] = AdminKey, ["KILN_API_KEY"] = AdminKey };
        await using var server = await KilnProcess.StartServerAsync(_dataDir, environment);
        environment["KILN_SERVER"] = server.Url.ToString();
        var data = Path.Combine(_dataDir, "bank.csv");
        await Cli(environment, "demo", "data", "--rows", "2000", "--output", data);
        await Cli(environment, "models", "register", "gbt", Path.Combine(AppContext.BaseDirectory, "models", "gbt_sklearn.onnx"), "--feature-names", Features);

        var (_, stdout, _) = await Cli(environment, "models", "profile", "gbt/1", "--data", data, "--label", "y", "--columns", Features + ",job", "--output", "json");

        var result = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(["job"], result.GetProperty("unknownColumns").EnumerateArray().Select(c => c.GetString()));
        var (_, shown, _) = await Cli(environment, "models", "show", "gbt/1", "--output", "json");
        var profile = JsonDocument.Parse(shown).RootElement.GetProperty("manifest").GetProperty("profile");
        Assert.Equal(2000, profile.GetProperty("rows").GetInt64());
        var columns = profile.GetProperty("columns").EnumerateArray().ToArray();
        Assert.Equal([.. Features.Split(','), "job"], columns.Select(c => c.GetProperty("name").GetString()));
        Assert.Equal(101, columns[0].GetProperty("numeric").GetProperty("quantiles").GetArrayLength());
        Assert.Equal("categorical", columns[^1].GetProperty("kind").GetString());

        var (missingLabel, _, stderr) = await KilnProcess.RunAsync(environment, "models", "profile", "gbt/1", "--data", data, "--label", "nope");
        Assert.Equal(2, missingLabel);
        Assert.Contains("nope", stderr, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // Already gone, or a file still held briefly by the stopped server: a temp folder, left for the OS.
        }
    }

    private static async Task<(int, string, string)> Cli(IDictionary<string, string> environment, params string[] args)
    {
        var result = await KilnProcess.RunAsync(environment, args);
        Assert.True(result.ExitCode == 0, $"kiln {string.Join(' ', args)} exited {result.ExitCode}:\n{result.Stdout}\n{result.Stderr}");
        return result;
    }
}
