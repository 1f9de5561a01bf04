using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Kiln.Client;
using Kiln.Core.Pipelines;
using Kiln.Server.Pipelines;
using Kiln.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Server.Tests.Pipelines;

/// <summary>The pipeline API over a real server (SQLite or PostgreSQL), with command and approval steps that need no model.</summary>
public sealed class PipelineApiTests
{
    private static readonly Dictionary<string, string?> FastPolls = new()
    {
        ["Kiln:Pipelines:PollInterval"] = "00:00:00.100",
        ["Kiln:Pipelines:OwnerTimeout"] = "00:00:15",
    };

    [Fact]
    public async Task Apply_FileWithProblems_Is400WithEveryProblemAndItsLine()
    {
        using var app = new KilnAppFactory(settings: FastPolls);
        using var http = app.CreateHttpClient();

        using var response = await ApplyAsync(http, "name: bad\nsteps:\n  a:\n    kind: trian\n  b:\n    kind: command\n    needs: nowhere\n    with: { program: echo }\n");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var problems = body.RootElement.GetProperty("problems").EnumerateArray().Select(p => (p.GetProperty("line").GetInt32(), p.GetProperty("path").GetString())).ToList();
        Assert.Equal([(4, "steps.a.kind"), (7, "steps.b.needs")], problems);
        Assert.Contains("line 4, column 11: steps.a.kind: 'trian' is not a step kind", body.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Apply_SameFileTwice_KeepsOneVersion_AndAChangeMakesTheNext()
    {
        using var app = new KilnAppFactory(settings: FastPolls);
        using var http = app.CreateHttpClient();
        const string yaml = "name: hello\nsteps:\n  say: { kind: command, with: { program: echo, args: [hello] } }\n";

        using var first = await ApplyAsync(http, yaml);
        using var again = await ApplyAsync(http, yaml);
        using var changed = await ApplyAsync(http, yaml.Replace("[hello]", "[hi]", StringComparison.Ordinal));

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.Created), (first.StatusCode, again.StatusCode, changed.StatusCode));
        using var detail = JsonDocument.Parse(await http.GetStringAsync("/api/pipelines/hello"));
        Assert.Equal(2, detail.RootElement.GetProperty("pipeline").GetProperty("version").GetInt32());
        Assert.Equal(2, detail.RootElement.GetProperty("versions").GetArrayLength());
        Assert.Contains("[hi]", detail.RootElement.GetProperty("source").GetString());
        Assert.Contains("[hello]", await http.GetStringAsync("/api/pipelines/hello/versions/1"));
    }

    [Fact]
    public async Task Apply_CommandSteps_NeedAnAdminKey()
    {
        using var app = new KilnAppFactory(settings: FastPolls);
        using var admin = app.CreateKilnClient();
        var deployer = await admin.CreateKeyAsync("ci", Kiln.Core.Security.KilnRole.Deployer);
        using var http = app.CreateHttpClient(deployer.Key);

        using var refused = await ApplyAsync(http, "name: cmd\nsteps:\n  a: { kind: command, with: { program: echo } }\n");
        using var allowed = await ApplyAsync(http, "name: gate\nsteps:\n  a: { kind: approval }\n");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("needs an admin key", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
    }

    [Fact]
    public async Task Run_Commands_RunInOrderWithParametersAndLogs()
    {
        using var app = new KilnAppFactory(settings: FastPolls);
        using var http = app.CreateHttpClient();
        await ApplyOkAsync(http, """
            name: greet
            parameters: { who: world, times: 2 }
            steps:
              hello: { kind: command, with: { program: echo, args: ["hello", "${{ params.who }}"] } }
              again:
                kind: command
                needs: hello
                if: steps.hello.outputs.exit_code == 0 && params.times > 1
                with: { program: echo, args: ["${{ steps.hello.outputs.stdout }} again"] }
            """);

        var run = await StartAsync(http, "greet", new { parameters = new { who = "kiln", times = "3" } });
        var done = await WaitAsync(http, run, s => s is "succeeded" or "failed");

        Assert.Equal("succeeded", done.GetProperty("run").GetProperty("status").GetString());
        Assert.Equal("api", done.GetProperty("run").GetProperty("triggerKind").GetString());
        Assert.Equal(3, done.GetProperty("parameters").GetProperty("times").GetDouble());
        var again = done.GetProperty("steps")[1];
        Assert.Equal(("again", "succeeded", "hello kiln again"), (again.GetProperty("name").GetString(), again.GetProperty("status").GetString(), again.GetProperty("outputs").GetProperty("stdout").GetString()));
        using var logs = JsonDocument.Parse(await http.GetStringAsync($"/api/pipelines/runs/{run}/logs?step=hello"));
        Assert.Contains(logs.RootElement.GetProperty("lines").EnumerateArray(), l => l.GetProperty("text").GetString() == "hello kiln");
        using var runs = JsonDocument.Parse(await http.GetStringAsync("/api/pipelines/greet/runs"));
        Assert.Equal(run, runs.RootElement[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task Run_BadParameter_Is400NamingIt()
    {
        using var app = new KilnAppFactory(settings: FastPolls);
        using var http = app.CreateHttpClient();
        await ApplyOkAsync(http, "name: p\nparameters: { n: 1 }\nsteps:\n  a: { kind: approval }\n");

        using var response = await http.PostAsJsonAsync("/api/pipelines/p/runs", new { parameters = new { n = "many" } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("parameters.n: must be a number, not", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsJsonAsync("/api/pipelines/nope/runs", new { })).StatusCode);
    }

    [Fact]
    public async Task Approval_WaitsForADecision_ApproveContinues_RejectFails()
    {
        using var app = new KilnAppFactory(settings: FastPolls);
        using var http = app.CreateHttpClient();
        await ApplyOkAsync(http, """
            name: gated
            steps:
              approve: { kind: approval, with: { message: ship it? } }
              ship: { kind: command, needs: approve, with: { program: echo, args: ["${{ steps.approve.outputs.by }}"] } }
            """);

        var approved = await StartAsync(http, "gated", new { });
        await WaitAsync(http, approved, s => s == "waiting");
        using var early = await http.PostAsJsonAsync($"/api/pipelines/runs/{approved}/steps/ship/approve", new { });
        using var decided = await http.PostAsJsonAsync($"/api/pipelines/runs/{approved}/steps/approve/approve", new { comment = "looks good" });
        using var twice = await http.PostAsJsonAsync($"/api/pipelines/runs/{approved}/steps/approve/reject", new { });
        var done = await WaitAsync(http, approved, s => s is "succeeded" or "failed");

        Assert.Equal(HttpStatusCode.BadRequest, early.StatusCode);
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Equal("succeeded", done.GetProperty("run").GetProperty("status").GetString());
        Assert.Equal("bootstrap-admin (KILN_ADMIN_KEY)", done.GetProperty("steps")[1].GetProperty("outputs").GetProperty("stdout").GetString());
        Assert.Equal("looks good", done.GetProperty("steps")[0].GetProperty("outputs").GetProperty("comment").GetString());

        var rejected = await StartAsync(http, "gated", new { });
        await WaitAsync(http, rejected, s => s == "waiting");
        (await http.PostAsJsonAsync($"/api/pipelines/runs/{rejected}/steps/approve/reject", new { comment = "not today" })).EnsureSuccessStatusCode();
        var failed = await WaitAsync(http, rejected, s => s is "succeeded" or "failed");
        Assert.Equal("step 'approve' failed: rejected by bootstrap-admin (KILN_ADMIN_KEY): not today", failed.GetProperty("run").GetProperty("error").GetString());
        Assert.Equal("skipped", failed.GetProperty("steps")[1].GetProperty("status").GetString());
    }

    [Fact]
    public async Task CancelAndRetry_StopARunAndRunItAgainFromTheFailedStep()
    {
        using var app = new KilnAppFactory(settings: FastPolls);
        using var http = app.CreateHttpClient();
        var marker = Path.Combine(app.DataDir, "ready");
        await ApplyOkAsync(http, $$"""
            name: flow
            steps:
              first: { kind: command, with: { program: echo, args: [one] } }
              check: { kind: command, needs: first, with: { program: test, args: ["-f", "{{marker}}"] } }
            """);
        await ApplyOkAsync(http, "name: slow\nsteps:\n  nap: { kind: command, with: { program: sleep, args: ['60'] } }\n");

        var slow = await StartAsync(http, "slow", new { });
        await WaitAsync(http, slow, _ => true, step: s => s.GetProperty("steps")[0].GetProperty("status").GetString() == "running");
        (await http.PostAsync($"/api/pipelines/runs/{slow}/cancel", null)).EnsureSuccessStatusCode();
        var cancelled = await WaitAsync(http, slow, s => s is "cancelled" or "failed" or "succeeded");
        Assert.Equal("cancelled", cancelled.GetProperty("run").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await http.PostAsync($"/api/pipelines/runs/{slow}/cancel", null)).StatusCode);

        var run = await StartAsync(http, "flow", new { });
        var failed = await WaitAsync(http, run, s => s is "succeeded" or "failed");
        Assert.Equal("failed", failed.GetProperty("run").GetProperty("status").GetString());
        Assert.Contains("test exited with code 1", failed.GetProperty("run").GetProperty("error").GetString());
        await File.WriteAllTextAsync(marker, "");
        (await http.PostAsync($"/api/pipelines/runs/{run}/retry", null)).EnsureSuccessStatusCode();
        var retried = await WaitAsync(http, run, s => s is "succeeded" or "failed");

        Assert.Equal(("succeeded", 2), (retried.GetProperty("run").GetProperty("status").GetString(), retried.GetProperty("run").GetProperty("attempt").GetInt32()));
        Assert.Equal(1, retried.GetProperty("steps")[0].GetProperty("attempt").GetInt32()); // not run again
        Assert.Equal(HttpStatusCode.Conflict, (await http.PostAsync($"/api/pipelines/runs/{run}/retry", null)).StatusCode);
    }

    [Fact]
    public async Task Cron_TwoReplicasOnOneDatabase_StartEachFireTimeOnce()
    {
        using var a = new KilnAppFactory(settings: new Dictionary<string, string?>(FastPolls) { ["Kiln:Pipelines:Enabled"] = "false" });
        using var http = a.CreateHttpClient();
        using var b = new KilnAppFactory(dataDir: a.DataDir, settings: new Dictionary<string, string?>(FastPolls) { ["Kiln:Pipelines:Enabled"] = "false" });
        using var httpB = b.CreateHttpClient();
        await httpB.GetAsync("/health/ready");
        await ApplyOkAsync(http, "name: nightly\ntriggers:\n  - cron: '0 3 * * *'\n    timezone: Europe/Berlin\nsteps:\n  a: { kind: approval }\n");
        var schedulers = new[] { a.Services.GetRequiredService<PipelineScheduler>(), b.Services.GetRequiredService<PipelineScheduler>() };
        var fire = new DateTimeOffset(2099, 12, 7, 2, 0, 0, TimeSpan.Zero); // 03:00 in Berlin (CET)

        await Task.WhenAll(schedulers.SelectMany(s => new[] { s.TickAsync(fire.AddSeconds(5), default), s.TickAsync(fire.AddSeconds(6), default) }));
        await schedulers[0].TickAsync(fire.AddMinutes(-1), default); // not due yet: nothing

        using var runs = JsonDocument.Parse(await http.GetStringAsync("/api/pipelines/nightly/runs"));
        var run = Assert.Single(runs.RootElement.EnumerateArray());
        Assert.Equal("cron", run.GetProperty("triggerKind").GetString());
        Assert.Equal("cron '0 3 * * *' (Europe/Berlin) at 2099-12-07 02:00 UTC", run.GetProperty("triggerReason").GetString());
        using var list = JsonDocument.Parse(await http.GetStringAsync("/api/pipelines"));
        Assert.Equal("cron '0 3 * * *' (Europe/Berlin)", list.RootElement[0].GetProperty("triggers")[0].GetProperty("description").GetString());
        Assert.True(list.RootElement[0].GetProperty("triggers")[0].GetProperty("nextFireAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task ModelTrigger_ANewVersion_StartsARunOnce()
    {
        using var app = new KilnAppFactory(settings: new Dictionary<string, string?>(FastPolls) { ["Kiln:Pipelines:Enabled"] = "false" });
        using var client = app.CreateKilnClient();
        using var http = app.CreateHttpClient();
        await ApplyOkAsync(http, "name: on-release\ntriggers:\n  - model: gbt\n  - model: gbt\n    alias: champion\nsteps:\n  a: { kind: approval }\n");

        await client.RegisterAsync("gbt", TestModels.PathOf("gbt_sklearn.onnx"), new RegisterOptions { FeatureNames = TestModels.GbtFeatureNames });
        await client.RegisterAsync("other", TestModels.PathOf("gbt_sklearn.onnx"), new RegisterOptions { FeatureNames = TestModels.GbtFeatureNames });
        (await http.PutAsJsonAsync("/api/models/gbt/aliases/champion", new { version = 1 })).EnsureSuccessStatusCode();

        using var runs = JsonDocument.Parse(await http.GetStringAsync("/api/pipelines/on-release/runs"));
        Assert.Equal(["gbt@champion moved to version 1", "gbt version 1 registered"],
            runs.RootElement.EnumerateArray().Select(r => r.GetProperty("triggerReason").GetString()));
    }

    private static Task<HttpResponseMessage> ApplyAsync(HttpClient http, string yaml) =>
        http.PostAsync("/api/pipelines", new StringContent(yaml, Encoding.UTF8, "application/yaml"));

    private static async Task ApplyOkAsync(HttpClient http, string yaml)
    {
        using var response = await ApplyAsync(http, yaml);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<string> StartAsync(HttpClient http, string pipeline, object body)
    {
        using var response = await http.PostAsJsonAsync($"/api/pipelines/{pipeline}/runs", body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var run = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return run.RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement> WaitAsync(HttpClient http, string runId, Func<string, bool> status, Func<JsonElement, bool>? step = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var detail = JsonDocument.Parse(await http.GetStringAsync($"/api/pipelines/runs/{runId}")).RootElement;
            if (status(detail.GetProperty("run").GetProperty("status").GetString()!) && (step is null || step(detail)))
            {
                return detail;
            }

            Assert.True(DateTime.UtcNow < deadline, $"run {runId} did not get there: {detail}");
            await Task.Delay(50);
        }
    }
}
