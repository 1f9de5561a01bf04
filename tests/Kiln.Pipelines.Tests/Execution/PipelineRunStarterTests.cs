using System.Text.Json.Nodes;
using Kiln.Core;
using Kiln.Core.Errors;
using Kiln.Core.Pipelines;
using Kiln.Pipelines.Execution;

namespace Kiln.Pipelines.Tests.Execution;

public sealed class PipelineRunStarterTests
{
    private const string Yaml = """
        name: p
        parameters:
          model: bank
          gain: 0.01
          dry: false
          approver:
            description: who approves
        steps:
          a: { kind: command, with: { program: ok } }
        """;

    [Fact]
    public async Task Start_FillsDefaults_ThenTriggerValues_ThenTheCallers_ConvertedToTheDefaultsTypes()
    {
        await using var h = await EngineHarness.CreateAsync(Yaml);
        var trigger = new RunTrigger("alert", "alert drift firing", "alert:r1:bank:1", new JsonObject { ["rule"] = "drift" },
            new Dictionary<string, JsonNode?> { ["gain"] = 0.0, ["model"] = "from-trigger" });

        var run = await h.Starter.StartAsync("p", null, trigger, new Dictionary<string, JsonNode?> { ["approver"] = "alice", ["dry"] = "true", ["model"] = "given" }, "bob", default);

        var parameters = JsonNode.Parse(run!.ParametersJson)!;
        Assert.Equal("""{"model":"given","gain":0,"dry":true,"approver":"alice"}""", parameters.ToJsonString());
        Assert.Equal("""{"rule":"drift","kind":"alert","reason":"alert drift firing"}""", run.TriggerJson);
        Assert.Equal((PipelineRunStatus.Queued, "alert", "bob", 1), (run.Status, run.TriggerKind, run.StartedBy, run.Version));
        Assert.Equal([PipelineStepStatus.Pending], (await h.Store.GetStepsAsync(run.Id, default)).Select(s => s.Status));
        Assert.Null(await h.Starter.StartAsync("p", null, trigger, new Dictionary<string, JsonNode?> { ["approver"] = "alice" }, null, default));
    }

    [Theory]
    [InlineData("colour", "red", "parameters.colour", "the pipeline has no such parameter; it has model, gain, dry, approver")]
    [InlineData("gain", "lots", "parameters.gain", "must be a number, not \"lots\"")]
    [InlineData("dry", "maybe", "parameters.dry", "must be true or false, not \"maybe\"")]
    public async Task Start_BadParameter_IsAnInvalidInputNamingIt(string name, string value, string field, string message)
    {
        await using var h = await EngineHarness.CreateAsync(Yaml);

        var error = await Assert.ThrowsAsync<KilnException>(() => h.Starter.StartAsync("p", null, RunTrigger.Manual(null),
            new Dictionary<string, JsonNode?> { [name] = value, ["approver"] = "a" }, null, default));

        Assert.Equal((KilnErrorKind.Invalid, field), (error.Kind, error.Field));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public async Task Start_RequiredParameterMissing_SaysHowToGiveIt()
    {
        await using var h = await EngineHarness.CreateAsync(Yaml);

        var error = await Assert.ThrowsAsync<KilnException>(() => h.Starter.StartAsync("p", null, RunTrigger.Manual(null), new Dictionary<string, JsonNode?>(), null, default));

        Assert.Equal("parameters.approver", error.Field);
        Assert.Contains("--param approver=VALUE", error.Message);
    }

    [Fact]
    public async Task Start_UnknownPipelineOrVersion_IsNotFound()
    {
        await using var h = await EngineHarness.CreateAsync(Yaml);

        Assert.Equal(KilnErrorKind.NotFound, (await Assert.ThrowsAsync<KilnException>(() => h.Starter.StartAsync("q", null, RunTrigger.Manual(null), new Dictionary<string, JsonNode?>(), null, default))).Kind);
        Assert.Equal(KilnErrorKind.NotFound, (await Assert.ThrowsAsync<KilnException>(() => h.Starter.StartAsync("p", 2, RunTrigger.Manual(null), new Dictionary<string, JsonNode?>(), null, default))).Kind);
    }
}
