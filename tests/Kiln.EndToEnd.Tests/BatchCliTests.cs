using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Kiln.EndToEnd.Tests;

/// <summary>
/// <c>kiln batch</c> as a user runs it: the real program against a real server, models fetched from the registry,
/// demo data scored with an ONNX tree model and with a model trained by <c>kiln train</c> (the mlnet flavor), bad
/// rows, and a file larger than the memory budget scored in bounded memory.
/// </summary>
public sealed class BatchCliTests : IDisposable
{
    private const string AdminKey = "kiln_e2e_admin_key_0123456789abcdef";
    private const string Features = "age,balance,day,duration,campaign,pdays,previous";
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "kiln-e2e", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Batch_DemoDataWithOnnxAndMlNetModels_ScoresEveryRowInOrderAndNamesBadRows()
    {
        var (server, environment, data) = await StartWithGbtAsync(3000);
        await using var stopping = server;

        var scored = Path.Combine(_dataDir, "scored.csv");
        var (_, stdout, _) = await Cli(environment, "batch", "--model", "gbt@prod", "--input", data, "--out", scored, "--keep-columns", "age,job", "--output", "json");

        var summary = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(3000, summary.GetProperty("rows").GetInt64());
        Assert.Equal(3000, summary.GetProperty("scored").GetInt64());
        Assert.Equal("gbt", summary.GetProperty("model").GetString());
        Assert.Equal(
            ["request_id", "row", "model_version", "age", "job", "output_label", "output_probability_0", "output_probability_1"],
            summary.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        var input = File.ReadAllLines(data);
        var header = input[0].Split(',');
        var output = File.ReadAllLines(scored);
        Assert.Equal(3001, output.Length);
        var batchId = summary.GetProperty("batchId").GetString()!;
        for (var r = 0; r < 3000; r += 97)
        {
            var fields = output[r + 1].Split(',');
            var source = input[r + 1].Split(',');
            Assert.Equal([batchId, r.ToString(CultureInfo.InvariantCulture), "1", source[Array.IndexOf(header, "age")], source[Array.IndexOf(header, "job")]], fields[..5]);
        }

        // The same rows through ONNX Runtime (--runtime reference) agree with the compiled engine.
        var reference = Path.Combine(_dataDir, "reference.csv");
        await Cli(environment, "batch", "--model", "gbt/1", "--input", data, "--out", reference, "--runtime", "reference");
        var compiledScores = output.Skip(1).Select(l => double.Parse(l.Split(',')[^1], CultureInfo.InvariantCulture)).ToArray();
        var referenceScores = File.ReadAllLines(reference).Skip(1).Select(l => double.Parse(l.Split(',')[^1], CultureInfo.InvariantCulture)).ToArray();
        Assert.All(compiledScores.Zip(referenceScores), pair => Assert.Equal(pair.Second, pair.First, 1e-6));

        // A bad row stops the batch by default and is named; with skip it is left out and listed.
        var lines = input.ToArray();
        var ageColumn = Array.IndexOf(header, "age");
        var bad = lines[11].Split(',');
        bad[ageColumn] = "eleven";
        lines[11] = string.Join(',', bad);
        var withBad = Path.Combine(_dataDir, "with-bad.csv");
        await File.WriteAllLinesAsync(withBad, lines);
        var (failed, _, failure) = await KilnProcess.RunAsync(environment, "batch", "--model", "gbt@prod", "--input", withBad, "--out", Path.Combine(_dataDir, "never.csv"));
        Assert.Equal(2, failed);
        Assert.Contains("row 10 (with-bad.csv), column 'age': expected a number, got text", failure.Replace("\n", " ", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dataDir, "never.csv")));
        var (_, skippedJson, _) = await Cli(environment, "batch", "--model", "gbt@prod", "--input", withBad, "--out", Path.Combine(_dataDir, "skipped.parquet"), "--on-error", "skip", "--output", "json");
        var skipped = JsonDocument.Parse(skippedJson).RootElement;
        Assert.Equal(1, skipped.GetProperty("badRows").GetInt64());
        Assert.Equal(10, skipped.GetProperty("firstBadRows")[0].GetProperty("row").GetInt64());
        Assert.Equal("parquet", skipped.GetProperty("outputFormat").GetString(), ignoreCase: true);

        // A model trained by kiln train (the mlnet flavor: all 16 columns, text ones included) scores the same file.
        await Cli(environment, "train", "--data", data, "--label", "y", "--algorithms", "fasttree", "--trials", "1", "--register", "bank-ml");
        var (_, mlJson, _) = await Cli(environment, "batch", "--model", "bank-ml", "--input", data, "--out", Path.Combine(_dataDir, "ml.csv"), "--output", "json");
        var ml = JsonDocument.Parse(mlJson).RootElement;
        Assert.Equal(3000, ml.GetProperty("scored").GetInt64());
        var compiledMl = File.ReadAllLines(Path.Combine(_dataDir, "ml.csv"));
        Assert.Equal(3001, compiledMl.Length);

        // Served by the compiled tree engine, it answers what ML.NET answers (--runtime reference), to the last digit.
        await Cli(environment, "batch", "--model", "bank-ml", "--input", data, "--out", Path.Combine(_dataDir, "ml-reference.csv"), "--runtime", "reference");
        var referenceMl = File.ReadAllLines(Path.Combine(_dataDir, "ml-reference.csv"));
        Assert.Equal(referenceMl.Skip(1).Select(l => l.Split(',', 2)[1]), compiledMl.Skip(1).Select(l => l.Split(',', 2)[1]));
    }

    [Fact]
    public async Task Batch_LightGbmTextModel_ScoresAsLightGbmDoes()
    {
        var (server, environment, _) = await StartWithGbtAsync(10);
        await using var stopping = server;
        var fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "lightgbm");
        await Cli(environment, "models", "register", "lgbm", Path.Combine(fixtures, "binary.txt"), "--feature-names", "x0,x1,x2,x3,x4,x5");
        using var expected = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(fixtures, "binary.expected.json")));
        var rows = expected.RootElement.GetProperty("inputs").EnumerateArray()
            .Select(r => string.Join(',', r.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? "" : v.GetRawText()))).ToArray();
        var input = Path.Combine(_dataDir, "lgbm.csv");
        await File.WriteAllLinesAsync(input, rows.Prepend("x0,x1,x2,x3,x4,x5"));

        var output = Path.Combine(_dataDir, "lgbm-scored.csv");
        var (_, stdout, _) = await Cli(environment, "batch", "--model", "lgbm/1", "--input", input, "--out", output, "--output", "json");

        Assert.Equal(rows.Length, JsonDocument.Parse(stdout).RootElement.GetProperty("scored").GetInt64());
        var scored = File.ReadAllLines(output);
        Assert.Equal("request_id,row,model_version,label,probabilities_0,probabilities_1", scored[0]);
        for (var r = 0; r < rows.Length; r++)
        {
            // An empty cell is a missing value (NaN), which LightGBM's own prediction had too.
            var p = (float)expected.RootElement.GetProperty("predictions")[r][0].GetDouble();
            Assert.Equal(p, float.Parse(scored[r + 1].Split(',')[^1], CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task Batch_WithLog_PutsTheRowsInTheDeploymentsLogWhereGroundTruthJoinsThemByRequestIdAndRow()
    {
        var (server, environment, data) = await StartWithGbtAsync(1500);
        await using var stopping = server;
        await Cli(environment, "deploy", "bank", "--model", "gbt@prod");

        var (_, stdout, _) = await Cli(environment, "batch", "--model", "gbt@prod", "--input", data, "--out", Path.Combine(_dataDir, "scored.csv"), "--log", "--output", "json");

        var summary = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(1500, summary.GetProperty("loggedRows").GetInt64());
        Assert.Equal("bank", summary.GetProperty("loggedTo").GetString());
        var batchId = summary.GetProperty("batchId").GetString()!;

        // Ground truth for every row, addressed as the output addresses them: request_id and row.
        var input = File.ReadAllLines(data);
        var label = Array.IndexOf(input[0].Split(','), "y");
        var labels = input.Skip(1).Select((line, row) => new { request_id = batchId, row, value = line.Split(',')[label] }).ToArray();
        using var http = new HttpClient { BaseAddress = server.Url };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminKey);
        using var response = await http.PostAsync("api/deployments/bank/ground-truth", new StringContent(JsonSerializer.Serialize(new { labels }), Encoding.UTF8, "application/json"));
        var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(response.IsSuccessStatusCode, result.ToString());
        Assert.Equal(1500, result.GetProperty("accepted").GetInt32());
        Assert.Equal(0, result.GetProperty("unknown").GetInt32());

        var page = JsonDocument.Parse(await http.GetStringAsync("api/deployments/bank/predictions?limit=5")).RootElement;
        var logged = page.GetProperty("predictions").EnumerateArray().First();
        Assert.Equal("batch", logged.GetProperty("variant").GetString());
        Assert.Equal(batchId, logged.GetProperty("requestId").GetString());

        // A wrong body gets a 400 naming the field.
        using var bad = await http.PostAsync("api/deployments/bank/batch-predictions", new StringContent("""{"model_name":"gbt","model_version":1,"id":"x","first_row":-1}""", Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("first_row", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_FileLargerThanTheMemoryBudget_StaysUnder300MBResident()
    {
        var (server, environment, sample) = await StartWithGbtAsync(5000);
        await using var stopping = server;
        var large = Path.Combine(_dataDir, "large.csv");
        var rows = await WriteLargeAsync(sample, large, 600L << 20);

        var (exit, stdout, stderr, peak) = await KilnProcess.RunMeasuredAsync(
            environment, TimeSpan.FromMinutes(5), "batch", "--model", "gbt/1", "--input", large, "--out", Path.Combine(_dataDir, "large-scored.csv"), "--output", "json");

        Assert.True(exit == 0, $"kiln batch exited {exit}:\n{stdout}\n{stderr}");
        Assert.Equal(rows, JsonDocument.Parse(stdout).RootElement.GetProperty("scored").GetInt64());
        Assert.True(peak < 300L << 20, $"peak resident memory {peak >> 20} MB scoring a {new FileInfo(large).Length >> 20} MB file");
        Assert.True(peak > 0, "no memory sample was taken");
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

    /// <summary>A server with the GBT test model registered as <c>gbt</c> (alias <c>prod</c>), and demo data of <paramref name="rows"/> rows.</summary>
    private async Task<(KilnProcess Server, Dictionary<string, string> Environment, string Data)> StartWithGbtAsync(int rows)
    {
        var environment = new Dictionary<string, string>
        {
            ["KILN_ADMIN_KEY"] = AdminKey,
            ["KILN_API_KEY"] = AdminKey,
            ["KILN_CACHE_DIR"] = Path.Combine(_dataDir, "cache"),
        };
        var server = await KilnProcess.StartServerAsync(_dataDir, environment);
        environment["KILN_SERVER"] = server.Url.ToString();
        var data = Path.Combine(_dataDir, "bank.csv");
        await Cli(environment, "demo", "data", "--rows", rows.ToString(CultureInfo.InvariantCulture), "--output", data);
        await Cli(environment, "models", "register", "gbt", Path.Combine(AppContext.BaseDirectory, "models", "gbt_sklearn.onnx"), "--feature-names", Features, "--alias", "prod");
        return (server, environment, data);
    }

    /// <summary>Repeats the sample's data rows until the file reaches <paramref name="bytes"/>; returns the rows written.</summary>
    private static async Task<long> WriteLargeAsync(string sample, string path, long bytes)
    {
        var lines = await File.ReadAllLinesAsync(sample);
        var body = Encoding.UTF8.GetBytes(string.Join('\n', lines.Skip(1)) + "\n");
        await using var file = File.Create(path);
        await file.WriteAsync(Encoding.UTF8.GetBytes(lines[0] + "\n"));
        long rows = 0;
        while (file.Length < bytes)
        {
            await file.WriteAsync(body);
            rows += lines.Length - 1;
        }

        return rows;
    }

    private static async Task<(int, string, string)> Cli(IDictionary<string, string> environment, params string[] args)
    {
        var result = await KilnProcess.RunAsync(environment, args);
        Assert.True(result.ExitCode == 0, $"kiln {string.Join(' ', args)} exited {result.ExitCode}:\n{result.Stdout}\n{result.Stderr}");
        return result;
    }
}
