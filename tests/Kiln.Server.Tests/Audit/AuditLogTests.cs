using System.Net;
using System.Text.Json;
using Kiln.Client;
using Kiln.Core.Api;
using Kiln.Core.Security;
using Kiln.Server.Tests.Dashboard;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests.Audit;

/// <summary>F31: every change, through any interface, with who, what, when, from where, before and after.</summary>
public sealed class AuditLogTests : IAsyncLifetime
{
    private readonly KilnAppFactory _factory = new();

    public Task InitializeAsync() => Requests.DeployGbtAsync(_factory);

    public Task DisposeAsync()
    {
        _factory.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Changes_ThroughKilnsApiAndMlflows_AreRecordedWithWhoWhatAndBeforeAfter()
    {
        using var admin = _factory.CreateKilnClient();
        using var http = _factory.CreateHttpClient();
        await admin.RegisterAsync("gbt", TestModels.PathOf("gbt_sklearn.onnx"), new RegisterOptions { FeatureNames = TestModels.GbtFeatureNames });
        await admin.SetAliasAsync("gbt", "champion", 2);
        (await http.PostAsync("/api/2.0/mlflow/registered-models/alias", Requests.Json("""{"name":"gbt","alias":"champion","version":"1"}"""))).EnsureSuccessStatusCode();
        (await http.PostAsync("/api/2.0/mlflow/experiments/create", Requests.Json("""{"name":"audited"}"""))).EnsureSuccessStatusCode();
        await admin.DeployAsync("second", "gbt@champion");
        await admin.DeleteDeploymentAsync("second");
        var key = await admin.CreateKeyAsync("ci", KilnRole.Viewer);

        var events = (await admin.GetAuditAsync(new AuditFilter(Since: "1h"), limit: 1000)).Events;

        var aliasMoves = events.Where(e => e.Target.Contains("alias", StringComparison.Ordinal) && e.Status == 200).ToArray();
        Assert.Equal(2, aliasMoves.Length);
        Assert.Equal("PUT /api/models/{name}/aliases/{alias}", aliasMoves[0].Action);
        Assert.Equal("/api/models/gbt/aliases/champion", aliasMoves[0].Target);
        Assert.Equal((1, 2), (Version(aliasMoves[0].Before), Version(aliasMoves[0].After)));
        Assert.Equal("POST /api/2.0/mlflow/registered-models/alias", aliasMoves[1].Action);
        Assert.Equal((2, 1), (Version(aliasMoves[1].Before), Version(aliasMoves[1].After)));
        Assert.Contains(events, e => e.Action == "POST /api/2.0/mlflow/experiments/create");
        var deleted = Assert.Single(events, e => e.Action == "DELETE /api/deployments/{name}");
        Assert.Contains("\"name\":\"second\"", deleted.Before, StringComparison.Ordinal);
        Assert.Null(deleted.After);
        var created = Assert.Single(events, e => e.Action == "POST /api/keys");
        Assert.Contains(key.Info.Id, created.After, StringComparison.Ordinal);
        Assert.DoesNotContain(key.Key, created.After, StringComparison.Ordinal);
        Assert.All(events, e => Assert.Equal("bootstrap-admin (KILN_ADMIN_KEY)", e.ActorName));
        Assert.All(events, e => Assert.False(string.IsNullOrEmpty(e.Replica)));
    }

    [Fact]
    public async Task RefusedAttempts_AreRecordedWithTheCaller_ButInferenceAndBadKeysAreNot()
    {
        using var admin = _factory.CreateKilnClient();
        var viewer = await admin.CreateKeyAsync("looker", KilnRole.Viewer);
        using var asViewer = _factory.CreateHttpClient(viewer.Key);
        using var anonymous = _factory.CreateHttpClient("kiln_bad_key");
        using var http = _factory.CreateHttpClient();

        using var refused = await asViewer.PutAsync("/api/models/gbt/aliases/champion", Requests.Json("""{"version":1}"""));
        using var readAudit = await asViewer.GetAsync("/api/audit");
        (await http.PostAsync("/v1/models/gbt:predict", Requests.Json("""{"instances":[[1,2,3,4,5,6,7]]}"""))).EnsureSuccessStatusCode();
        await anonymous.DeleteAsync("/api/deployments/gbt");

        var events = (await admin.GetAuditAsync(new AuditFilter(Since: "1h"), limit: 1000)).Events;
        Assert.Equal(HttpStatusCode.Forbidden, readAudit.StatusCode);
        var attempt = Assert.Single(events, e => e.Actor == viewer.Info.Id);
        Assert.Equal((403, "looker", "PUT /api/models/{name}/aliases/{alias}"), (attempt.Status, attempt.ActorName, attempt.Action));
        Assert.DoesNotContain(events, e => e.Action.Contains(":predict", StringComparison.Ordinal));
        Assert.DoesNotContain(events, e => e.Status == 401);
    }

    [Fact]
    public async Task DashboardSignInAndKeyCreation_AreRecorded()
    {
        using var admin = _factory.CreateKilnClient();
        var person = await admin.CreateKeyAsync("alice", KilnRole.Admin);
        using var browser = new DashboardClient(_factory);

        (await browser.SignInAsync(person.Key)).Dispose();

        var events = (await admin.GetAuditAsync(new AuditFilter(Actor: person.Info.Id, Since: "1h"))).Events;
        var signIn = Assert.Single(events);
        Assert.Equal(("POST /sign-in", "alice", 302), (signIn.Action, signIn.ActorName, signIn.Status));
    }

    [Fact]
    public async Task Export_WritesEveryMatchingEvent_AsCsvAndJsonLines()
    {
        using var admin = _factory.CreateKilnClient();
        for (var i = 0; i < 3; i++)
        {
            await admin.CreateKeyAsync($"k{i}", KilnRole.Viewer);
        }

        using var csv = new MemoryStream();
        using var jsonl = new MemoryStream();
        await admin.ExportAuditAsync(new AuditFilter(Action: "POST /api/keys"), "csv", csv);
        await admin.ExportAuditAsync(new AuditFilter(Action: "POST /api/keys"), "jsonl", jsonl);

        var csvLines = System.Text.Encoding.UTF8.GetString(csv.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var jsonLines = System.Text.Encoding.UTF8.GetString(jsonl.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("id,at,actor,actor_name,action,target,status", csvLines[0], StringComparison.Ordinal);
        Assert.Equal(3, csvLines.Length - 1);
        Assert.Equal(3, jsonLines.Length);
        Assert.All(jsonLines, line => Assert.Equal("POST /api/keys", JsonDocument.Parse(line).RootElement.GetProperty("action").GetString()));
    }

    [Theory]
    [InlineData("/api/audit?limit=0", "limit")]
    [InlineData("/api/audit?since=yesterday", "since")]
    [InlineData("/api/audit/export?format=xml", "format")]
    public async Task BadFilters_Are400NamingTheField(string path, string field)
    {
        using var http = _factory.CreateHttpClient();

        using var response = await http.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await response.ReadJsonAsync()).GetProperty("field").GetString());
    }

    private static int? Version(string? json) => json is null ? null : JsonDocument.Parse(json).RootElement.GetProperty("version").GetInt32();
}
