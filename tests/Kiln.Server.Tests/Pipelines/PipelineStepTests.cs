using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kiln.Server.Tests.Support;
using Kiln.Training.Demo;

namespace Kiln.Server.Tests.Pipelines;

/// <summary>The model factory's step kinds on real data (the Bank Marketing generator), through the API, on SQLite and PostgreSQL.</summary>
public sealed class PipelineStepTests
{
    private const string Factory = """
        name: factory
        parameters: { seed: 5, drift: 0 }
        steps:
          fresh:
            kind: data
            with: { source: generator, rows: 2500, seed: "${{ params.seed }}", drift: "${{ params.drift }}" }
          train:
            kind: train
            needs: fresh
            with: { data: "${{ steps.fresh.outputs.dataset }}", label: y, algorithms: [logreg], trials: 1, exclude_columns: [duration] }
          evaluate:
            kind: evaluate
            needs: train
            with:
              candidate: ${{ steps.train.outputs.package }}
              champion: bank@champion
              data: ${{ steps.train.outputs.holdout }}
              label: y
              alpha: 1
          register:
            kind: register
            needs: [train, evaluate]
            if: steps.evaluate.outputs.passed
            with: { model: bank, package: "${{ steps.train.outputs.package }}", run_id: "${{ steps.train.outputs.run_id }}", alias: champion }
          deploy:
            kind: deploy
            needs: register
            with: { deployment: bank, model: bank, version: "${{ steps.register.outputs.version }}" }
        """;

    private static readonly Dictionary<string, string?> FastPolls = new()
    {
        ["Kiln:Pipelines:PollInterval"] = "00:00:00.100",
    };

    [Fact]
    public async Task Factory_TrainsEvaluatesRegistersDeploys_ThenLearnsFromProduction()
    {
        using var app = new KilnAppFactory(settings: FastPolls);
        using var http = app.CreateHttpClient();
        await ApplyAsync(http, Factory);

        // First run: no champion yet, so the candidate passes, becomes bank/1 @champion and is deployed.
        var first = await RunAsync(http, "factory", new { });
        Assert.Equal("succeeded", Status(first));
        var evaluate = Step(first, "evaluate");
        Assert.True(evaluate.GetProperty("outputs").GetProperty("passed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, evaluate.GetProperty("outputs").GetProperty("champion_score").ValueKind);
        var train = Step(first, "train").GetProperty("outputs");
        var runId = train.GetProperty("run_id").GetString()!;
        Assert.Equal(500, train.GetProperty("holdout").GetProperty("rows").GetInt32());

        // Lineage: the version names its pipeline run and training run; the run is tracked with the pipeline's tags.
        var version = await (await http.GetAsync("/api/models/bank/versions/1")).ReadJsonAsync();
        Assert.Equal(first.GetProperty("run").GetProperty("id").GetString(), version.GetProperty("tags").GetProperty("kiln.pipeline_run").GetString());
        Assert.Equal(runId, version.GetProperty("manifest").GetProperty("runId").GetString());
        Assert.Contains("champion", version.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()));
        var run = await (await http.GetAsync($"/api/runs/{runId}")).ReadJsonAsync();
        Assert.Equal("factory", run.GetProperty("tags").GetProperty("kiln.pipeline").GetString());
        var deployment = await (await http.GetAsync("/api/deployments/bank")).ReadJsonAsync();
        Assert.Equal(1, deployment.GetProperty("deployment").GetProperty("variants")[0].GetProperty("modelVersion").GetInt32());

        // Same parameters again: data and training come from the cache; evaluate runs, now against bank/1.
        var second = await RunAsync(http, "factory", new { });
        Assert.Equal(("cached", "cached", "succeeded"), (StepStatus(second, "fresh"), StepStatus(second, "train"), StepStatus(second, "evaluate")));
        Assert.Equal(first.GetProperty("run").GetProperty("id").GetString(), Step(second, "train").GetProperty("cachedFrom").GetString());
        var against = Step(second, "evaluate").GetProperty("outputs");
        Assert.Equal(against.GetProperty("candidate_score").GetDouble(), against.GetProperty("champion_score").GetDouble(), 12); // the same model
        Assert.False(against.GetProperty("passed").GetBoolean());
        Assert.Equal(("skipped", "skipped"), (StepStatus(second, "register"), StepStatus(second, "deploy")));

        // Production: 40 scored rows, 30 of them labelled later, become a dataset with the model's own label column.
        await app.WaitUntilReadyAsync();
        var rows = BankMarketingGenerator.Generate(40, seed: 11).ToList();
        var labels = new JsonArray();
        for (var i = 0; i < rows.Count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/models/bank:predict") { Content = JsonContent.Create(new { instances = new[] { Instance(rows[i]) } }) };
            request.Headers.Add("Kiln-Request-Id", $"p{i}");
            (await http.SendAsync(request)).EnsureSuccessStatusCode();
            if (i < 30)
            {
                labels.Add(new JsonObject { ["request_id"] = $"p{i}", ["value"] = (string)Values(rows[i])["y"]! });
            }
        }

        (await http.PostAsync("/api/deployments/bank/ground-truth", Requests.Json(new JsonObject { ["labels"] = labels }))).EnsureSuccessStatusCode();
        await ApplyAsync(http, "name: learn\nsteps:\n  recent: { kind: data, with: { source: production, deployment: bank, since: 1h } }\n");
        var learned = await RunAsync(http, "learn", new { });
        Assert.Equal("succeeded", Status(learned));
        Assert.Equal(30, Step(learned, "recent").GetProperty("outputs").GetProperty("rows").GetInt32());
        Assert.Contains(await LogAsync(http, learned), l => l.Contains("read 30 labelled rows of 40 logged by bank", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Data_AFolderOfFiles_IsOneTable_CachedUntilAFileChanges()
    {
        using var app = new KilnAppFactory(settings: FastPolls);
        using var http = app.CreateHttpClient();
        var folder = Path.Combine(app.DataDir, "batches");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "2026-12-01.csv"), "age,job,y\n30,admin.,no\n41,technician,yes\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "2026-12-02.csv"), "age,y\n52,no\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "notes.txt"), "not a table");
        await ApplyAsync(http, "name: batches\nsteps:\n  all: { kind: data, with: { source: file, path: batches } }\n");

        var first = await RunAsync(http, "batches", new { });
        var again = await RunAsync(http, "batches", new { });
        await File.AppendAllTextAsync(Path.Combine(folder, "2026-12-02.csv"), "60,yes\n");
        var changed = await RunAsync(http, "batches", new { });

        Assert.Equal((3, "succeeded"), (Step(first, "all").GetProperty("outputs").GetProperty("rows").GetInt32(), StepStatus(first, "all")));
        Assert.Contains(await LogAsync(http, first), l => l.Contains("read 3 rows and 3 columns from 2 files in batches", StringComparison.Ordinal));
        Assert.Equal("cached", StepStatus(again, "all"));
        Assert.Equal((4, "succeeded"), (Step(changed, "all").GetProperty("outputs").GetProperty("rows").GetInt32(), StepStatus(changed, "all")));
    }

    [Fact]
    public async Task Data_PathOutsideTheAllowedFolders_FailsWithoutRetrying()
    {
        using var app = new KilnAppFactory(settings: FastPolls);
        using var http = app.CreateHttpClient();
        await ApplyAsync(http, "name: sneaky\nsteps:\n  secrets: { kind: data, retries: 3, with: { source: file, path: /etc/passwd } }\n");

        var run = await RunAsync(http, "sneaky", new { });

        Assert.Equal("failed", Status(run));
        Assert.Contains("is outside the folders steps may read", Step(run, "secrets").GetProperty("error").GetString());
        Assert.Equal(1, Step(run, "secrets").GetProperty("attempt").GetInt32());
    }

    private static Dictionary<string, object?> Values(BankMarketingRow row)
    {
        var header = BankMarketingGenerator.Columns;
        Span<char> buffer = stackalloc char[512];
        var line = buffer[..row.Format(buffer)].ToString().Split(',');
        return header.Zip(line).ToDictionary(p => p.First, p => (object?)(double.TryParse(p.Second, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : p.Second));
    }

    private static Dictionary<string, object?> Instance(BankMarketingRow row)
    {
        var values = Values(row);
        values.Remove("y");
        values.Remove("duration");
        return values;
    }

    [Fact]
    public async Task BatchScore_ADataStepsRows_AreScoredIntoAnArtifactAndLoggedToTheDeployment()
    {
        using var app = new KilnAppFactory(settings: FastPolls);
        await Requests.DeployGbtAsync(app, "bank");
        using var http = app.CreateHttpClient();
        await ApplyAsync(http, """
            name: nightly
            steps:
              rows: { kind: data, with: { source: generator, rows: 300, seed: 3 } }
              score:
                kind: batch-score
                needs: rows
                with: { model: gbt@champion, input: "${{ steps.rows.outputs.dataset }}", keep_columns: [age], log: bank, log_sample: 1 }
            """);

        var run = await RunAsync(http, "nightly", new { });

        Assert.Equal("succeeded", Status(run));
        var outputs = Step(run, "score").GetProperty("outputs");
        Assert.Equal((300, 300, 0, 1, 300), (outputs.GetProperty("rows").GetInt32(), outputs.GetProperty("scored").GetInt32(), outputs.GetProperty("bad_rows").GetInt32(),
            outputs.GetProperty("model_version").GetInt32(), outputs.GetProperty("logged_rows").GetInt32()));
        var predictions = outputs.GetProperty("predictions");
        Assert.Equal(("dataset", 300), (predictions.GetProperty("kind").GetString(), predictions.GetProperty("rows").GetInt32()));
        Assert.Contains(await LogAsync(http, run), l => l.Contains("gbt/1 scored 300 of 300 rows", StringComparison.Ordinal));

        // The logged rows are where ground truth looks for them: the batch id and the row.
        var batchId = outputs.GetProperty("batch_id").GetString()!;
        var labels = new JsonArray(Enumerable.Range(0, 10).Select(r => (JsonNode)new JsonObject { ["request_id"] = batchId, ["row"] = r * 30, ["value"] = 1 }).ToArray());
        var joined = await (await http.PostAsync("/api/deployments/bank/ground-truth", Requests.Json(new JsonObject { ["labels"] = labels }))).ReadJsonAsync();
        Assert.Equal(10, joined.GetProperty("accepted").GetInt32());

        // A bad row fails the step by default, naming it.
        await File.WriteAllTextAsync(Path.Combine(app.DataDir, "bad.csv"), "age,balance,day,duration,campaign,pdays,previous\n30,1,2,3,4,5,6\n31,lots,2,3,4,5,6\n");
        await ApplyAsync(http, "name: strict\nsteps:\n  score: { kind: batch-score, with: { model: gbt, version: 1, input: bad.csv } }\n");
        var strict = await RunAsync(http, "strict", new { });
        Assert.Equal("failed", Status(strict));
        Assert.Contains("row 1 (bad.csv), column 'balance': expected a number, got text", Step(strict, "score").GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    private static async Task ApplyAsync(HttpClient http, string yaml)
    {
        using var response = await http.PostAsync("/api/pipelines", new StringContent(yaml, Encoding.UTF8, "application/yaml"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<JsonElement> RunAsync(HttpClient http, string pipeline, object body)
    {
        using var started = await http.PostAsJsonAsync($"/api/pipelines/{pipeline}/runs", body);
        var id = (await started.ReadJsonAsync()).GetProperty("id").GetString();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            var detail = await (await http.GetAsync($"/api/pipelines/runs/{id}")).ReadJsonAsync();
            if (Status(detail) is "succeeded" or "failed" or "cancelled")
            {
                return detail;
            }

            Assert.True(DateTime.UtcNow < deadline, $"run {id} did not end: {detail}");
            await Task.Delay(100);
        }
    }

    private static async Task<List<string>> LogAsync(HttpClient http, JsonElement run) =>
        (await (await http.GetAsync($"/api/pipelines/runs/{run.GetProperty("run").GetProperty("id").GetString()}/logs")).ReadJsonAsync())
            .GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("text").GetString()!).ToList();

    private static string Status(JsonElement run) => run.GetProperty("run").GetProperty("status").GetString()!;

    private static JsonElement Step(JsonElement run, string name) => run.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("name").GetString() == name);

    private static string StepStatus(JsonElement run, string name) => Step(run, name).GetProperty("status").GetString()!;
}
