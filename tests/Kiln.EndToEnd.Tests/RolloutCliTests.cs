using System.Text.Json;

namespace Kiln.EndToEnd.Tests;

/// <summary>
/// Safe rollouts through the real CLI: an A/B split, a canary refused while it runs, a rollback, a manual canary
/// promoted, a blue-green flip, a shadow added and removed, and the revision history recording all of it.
/// </summary>
public sealed class RolloutCliTests : IDisposable
{
    private const string AdminKey = "kiln_e2e_admin_key_0123456789abcdef";
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "kiln-e2e", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Rollouts_SplitCanaryFlipShadowRollback_EachChangeServesAndIsRecorded()
    {
        var environment = new Dictionary<string, string> { ["KILN_ADMIN_KEY"] = AdminKey, ["KILN_API_KEY"] = AdminKey };
        await using var server = await KilnProcess.StartServerAsync(_dataDir, environment);
        environment["KILN_SERVER"] = server.Url.ToString();
        var model = Path.Combine(AppContext.BaseDirectory, "models", "gbt_sklearn.onnx");
        await Cli(environment, "models", "register", "gbt", model);
        await Cli(environment, "models", "register", "gbt", model);
        await Cli(environment, "deploy", "d", "--model", "gbt/1");

        var typo = await KilnProcess.RunAsync(environment, "traffic", "d", "--set", "1=50,2");
        Assert.Equal(2, typo.ExitCode);
        Assert.Contains("'2' is not VERSION=PERCENT", Flat(typo.Stderr), StringComparison.Ordinal);

        var split = Variants(await Json(environment, "traffic", "d", "--set", "1=50,2=50", "--reason", "a/b test"));
        Assert.Equal([(1, 50, "primary"), (2, 50, "primary")], split);

        var refused = await KilnProcess.RunAsync(environment, "canary", "start", "d", "--model", "gbt/2", "--manual");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("splits traffic over 2 primaries", Flat(refused.Stderr), StringComparison.Ordinal);

        var history = await Json(environment, "deployments", "history", "d");
        Assert.Equal(["traffic", "deploy"], history.EnumerateArray().Select(r => r.GetProperty("change").GetString()));

        Assert.Equal([(1, 100, "primary")], Variants(await Json(environment, "rollback", "d")));

        var canary = await Json(environment, "canary", "start", "d", "--model", "gbt/2", "--manual", "--steps", "10,100");
        Assert.Equal([(1, 90, "primary"), (2, 10, "canary")], Variants(canary));
        Assert.False(canary.GetProperty("deployment").GetProperty("canary").GetProperty("automatic").GetBoolean());
        var status = await Json(environment, "canary", "status", "d");
        Assert.Equal(0, status.GetProperty("canary").GetProperty("step").GetInt32());
        Assert.Equal(2, status.GetProperty("canaryVariant").GetProperty("modelVersion").GetInt32());
        Assert.Contains(status.GetProperty("decision").GetString(), new[] { "promote", "hold", "rollback" });

        var flipDuringCanary = await KilnProcess.RunAsync(environment, "bluegreen", "d", "--model", "gbt/1");
        Assert.Equal(1, flipDuringCanary.ExitCode);
        Assert.Contains("canary is running", Flat(flipDuringCanary.Stderr), StringComparison.Ordinal);

        Assert.Equal([(2, 100, "primary")], Variants(await Json(environment, "canary", "promote", "d", "--reason", "looks good")));
        Assert.Equal(3, (await KilnProcess.RunAsync(environment, "canary", "status", "d")).ExitCode);

        Assert.Equal([(1, 100, "primary")], Variants(await Json(environment, "bluegreen", "d", "--model", "gbt/1", "--keep-old", "1m")));
        var shadowed = await Json(environment, "shadow", "d", "--model", "gbt/2", "--sample", "1");
        Assert.Equal([(1, 100, "primary"), (2, 0, "shadow")], Variants(shadowed));
        Assert.Equal(1.0, shadowed.GetProperty("deployment").GetProperty("variants")[1].GetProperty("shadowSample").GetDouble());
        Assert.Equal(JsonValueKind.Array, (await Json(environment, "shadow", "d", "--report", "--since", "1h")).ValueKind);
        await Cli(environment, "deployments", "show", "d");
        await Cli(environment, "deployments", "list");

        var unlabelled = await KilnProcess.RunAsync(environment, "compare", "d");
        Assert.Equal(2, unlabelled.ExitCode);
        Assert.Equal(2, (await KilnProcess.RunAsync(environment, "shadow", "d", "--remove", "--report")).ExitCode);

        Assert.Equal([(1, 100, "primary")], Variants(await Json(environment, "shadow", "d", "--remove")));
        history = await Json(environment, "deployments", "history", "d");
        Assert.Equal(
            ["shadow_remove", "shadow", "bluegreen", "canary_promote", "canary_start", "rollback", "traffic", "deploy"],
            history.EnumerateArray().Select(r => r.GetProperty("change").GetString()));
        Assert.Equal([8, 7, 6, 5, 4, 3, 2, 1], history.EnumerateArray().Select(r => r.GetProperty("number").GetInt32()));
        await Cli(environment, "deployments", "history", "d");
    }

    [Fact]
    public async Task Deploy_BatchingOptions_TurnBatchingOnShowItAndTurnItOff()
    {
        var environment = new Dictionary<string, string> { ["KILN_ADMIN_KEY"] = AdminKey, ["KILN_API_KEY"] = AdminKey };
        await using var server = await KilnProcess.StartServerAsync(_dataDir, environment);
        environment["KILN_SERVER"] = server.Url.ToString();
        await Cli(environment, "models", "register", "gbt", Path.Combine(AppContext.BaseDirectory, "models", "gbt_sklearn.onnx"));

        var on = await Json(environment, "deploy", "d", "--model", "gbt/1", "--max-batch-rows", "32", "--max-batch-delay-us", "300");
        var shown = await Cli(environment, "deployments", "show", "d");
        var delayAlone = await KilnProcess.RunAsync(environment, "deploy", "d", "--model", "gbt/1", "--max-batch-delay-us", "300");
        var tooFew = await KilnProcess.RunAsync(environment, "deploy", "d", "--model", "gbt/1", "--max-batch-rows", "1");
        var off = await Json(environment, "deploy", "d", "--model", "gbt/1", "--max-batch-rows", "0");

        var batching = on.GetProperty("deployment").GetProperty("batching");
        Assert.Equal((32, 300), (batching.GetProperty("maxBatchRows").GetInt32(), batching.GetProperty("maxDelayMicroseconds").GetInt32()));
        Assert.Contains("batching: up to 32 rows, waiting up to 300 µs", Flat(shown.Item3), StringComparison.Ordinal);
        Assert.NotEqual(0, delayAlone.ExitCode);
        Assert.Contains("--max-batch-delay-us needs --max-batch-rows", Flat(delayAlone.Stderr), StringComparison.Ordinal);
        Assert.NotEqual(0, tooFew.ExitCode);
        Assert.Contains("batching.maxBatchRows", Flat(tooFew.Stderr), StringComparison.Ordinal);
        Assert.False(off.GetProperty("deployment").TryGetProperty("batching", out var none) && none.ValueKind != JsonValueKind.Null);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // A file still held briefly by the stopped server: a temp folder, left for the OS.
        }
    }

    private static (int Version, int Weight, string? Role)[] Variants(JsonElement view) =>
        [.. view.GetProperty("deployment").GetProperty("variants").EnumerateArray()
            .Select(v => (v.GetProperty("modelVersion").GetInt32(), v.GetProperty("weight").GetInt32(), v.GetProperty("role").GetString()))];

    // Spectre wraps long messages at the console width.
    private static string Flat(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static async Task<JsonElement> Json(IDictionary<string, string> environment, params string[] args)
    {
        var (_, stdout, _) = await Cli(environment, [.. args, "--output", "json"]);
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    private static async Task<(int, string, string)> Cli(IDictionary<string, string> environment, params string[] args)
    {
        var result = await KilnProcess.RunAsync(environment, args);
        Assert.True(result.ExitCode == 0, $"kiln {string.Join(' ', args)} exited {result.ExitCode}:\n{result.Stdout}\n{result.Stderr}");
        return result;
    }
}
