using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests.Batch;

/// <summary><c>/api/batch-jobs</c> on whichever backend the suite runs: jobs on a server file and on a tracked run's artifact, their output, their failures.</summary>
public sealed class BatchJobApiTests : IDisposable
{
    private const string Header = "age,balance,day,duration,campaign,pdays,previous";
    private readonly KilnAppFactory _factory = new(settings: new Dictionary<string, string?> { ["Kiln:Pipelines:PollInterval"] = "00:00:00.100" });

    [Fact]
    public async Task Job_OnAServerFile_ScoresItAndServesTheScoredFile()
    {
        await Requests.DeployGbtAsync(_factory, "bank");
        using var http = _factory.CreateHttpClient();
        await File.WriteAllTextAsync(Path.Combine(_factory.DataDir, "today.csv"), Rows(200));

        var started = await http.PostJsonAsync("/api/batch-jobs", new JsonObject { ["model"] = "gbt@champion", ["input"] = "today.csv", ["keepColumns"] = new JsonArray("age") });

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var job = await WaitAsync(http, (await started.ReadJsonAsync()).GetProperty("id").GetString()!);
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        var result = job.GetProperty("result");
        Assert.Equal((200, 200, 1), (result.GetProperty("rows").GetInt32(), result.GetProperty("scored").GetInt32(), result.GetProperty("model_version").GetInt32()));
        var csv = (await http.GetStringAsync(job.GetProperty("output").GetString())).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(201, csv.Length);
        Assert.Equal("request_id,row,model_version,age,output_label,output_probability_0,output_probability_1", csv[0]);
        Assert.StartsWith(result.GetProperty("batch_id").GetString() + ",0,1,20,", csv[1], StringComparison.Ordinal);
        var listed = (await http.GetAsync("/api/batch-jobs")).ReadJsonAsync();
        Assert.Contains((await listed).EnumerateArray(), j => j.GetProperty("id").GetString() == job.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Job_OnATrackedRunsArtifact_ScoresIt()
    {
        await Requests.DeployGbtAsync(_factory, "bank");
        using var http = _factory.CreateHttpClient();
        var run = await (await http.PostJsonAsync("/api/runs", new JsonObject { ["experimentName"] = "exports" })).ReadJsonAsync();
        var runId = run.GetProperty("id").GetString()!;
        (await http.PutAsync($"/api/runs/{runId}/artifacts/data/rows.csv", new ByteArrayContent(Encoding.UTF8.GetBytes(Rows(50))))).EnsureSuccessStatusCode();

        var started = await http.PostJsonAsync("/api/batch-jobs", new JsonObject
        {
            ["model"] = "gbt/1", ["input"] = new JsonObject { ["run_id"] = runId, ["path"] = "data/rows.csv" }, ["format"] = "parquet",
        });

        var job = await WaitAsync(http, (await started.ReadJsonAsync()).GetProperty("id").GetString()!);
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        Assert.Equal(50, job.GetProperty("result").GetProperty("scored").GetInt32());
        using var output = await http.GetAsync(job.GetProperty("output").GetString());
        Assert.Equal("application/vnd.apache.parquet", output.Content.Headers.ContentType?.MediaType);
        Assert.Equal("PAR1", Encoding.ASCII.GetString((await output.Content.ReadAsByteArrayAsync())[..4]));
    }

    [Fact]
    public async Task Job_WithABadRow_FailsNamingIt_AndBadRequestsAre400()
    {
        await Requests.DeployGbtAsync(_factory, "bank");
        using var http = _factory.CreateHttpClient();
        await File.WriteAllTextAsync(Path.Combine(_factory.DataDir, "bad.csv"), Header + "\n30,1,2,3,4,5,6\n31,1,2,3,4,5,many\n");

        var started = await http.PostJsonAsync("/api/batch-jobs", new JsonObject { ["model"] = "gbt", ["input"] = "bad.csv" });

        var job = await WaitAsync(http, (await started.ReadJsonAsync()).GetProperty("id").GetString()!);
        Assert.Equal("failed", job.GetProperty("status").GetString());
        Assert.Contains("row 1 (bad.csv), column 'previous': expected a number, got text", job.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, (await http.GetAsync($"/api/batch-jobs/{job.GetProperty("id").GetString()}/output")).StatusCode);

        foreach (var (body, field) in new[]
        {
            (new JsonObject { ["input"] = "bad.csv" }, "model"),
            (new JsonObject { ["model"] = "gbt", ["input"] = "/etc/passwd" }, "input"),
            (new JsonObject { ["model"] = "gbt", ["input"] = "bad.csv", ["format"] = "xml" }, "format"),
            (new JsonObject { ["model"] = "gbt", ["input"] = "bad.csv", ["logSample"] = 2 }, "logSample"),
        })
        {
            var response = await http.PostJsonAsync("/api/batch-jobs", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(field, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await http.PostJsonAsync("/api/batch-jobs", new JsonObject { ["model"] = "nope", ["input"] = "bad.csv" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/batch-jobs/nope")).StatusCode);
    }

    public void Dispose() => _factory.Dispose();

    private static string Rows(int count)
    {
        var text = new StringBuilder(Header).Append('\n');
        for (var r = 0; r < count; r++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{20 + (r % 60)},{r * 37 % 5000},{1 + (r % 28)},{r * 13 % 900},{1 + (r % 5)},-1,0\n");
        }

        return text.ToString();
    }

    private static async Task<JsonElement> WaitAsync(HttpClient http, string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var job = await (await http.GetAsync($"/api/batch-jobs/{id}")).ReadJsonAsync();
            if (job.GetProperty("status").GetString() is "succeeded" or "failed" or "cancelled" || DateTime.UtcNow > deadline)
            {
                return job;
            }

            await Task.Delay(100);
        }
    }
}
