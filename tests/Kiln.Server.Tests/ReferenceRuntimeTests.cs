using System.Net;
using System.Text.Json;
using Kiln.Core.Deployments;
using Kiln.Inference.Runtime;
using Kiln.Inference.Serving;
using Kiln.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Server.Tests;

/// <summary>
/// Tree models are served by the compiled tree engine, which the version's metadata says; a deployment can ask for the
/// model format's own runtime instead, the choice is kept in its history and restored by a rollback, and both answer alike.
/// </summary>
public sealed class ReferenceRuntimeTests : IDisposable
{
    private const string Rows = """{"inputs":[{"name":"float_input","shape":[3,7],"datatype":"FP32","data":[35,1200,5,300,2,-1,0, 61,-40,18,95,1,120,3, 22,0,30,1800,7,-1,0]}]}""";
    private readonly KilnAppFactory _factory = new();

    [Fact]
    public async Task ATreeModel_IsServedCompiled_OrByOnnxRuntimeWhenTheDeploymentAsks_WithTheSameAnswers()
    {
        await Support.Requests.DeployGbtAsync(_factory, "bank");
        using var http = _factory.CreateHttpClient();
        using var client = _factory.CreateKilnClient();

        var version = await client.GetVersionAsync("gbt/1");
        var compiled = await ProbabilitiesAsync(http);
        var compiledRuntime = ServedRuntime();
        var reference = await client.DeployAsync("bank", "gbt@champion", new DeploymentSettingsChange(ReferenceRuntime: true));
        var byOnnxRuntime = await ProbabilitiesAsync(http);
        var referenceRuntime = ServedRuntime();
        var back = await client.DeployAsync("bank", "gbt@champion", new DeploymentSettingsChange(ReferenceRuntime: false));
        var history = await client.GetHistoryAsync("bank");
        var restored = await client.RollbackAsync("bank", reference.Deployment.Revision);

        Assert.Equal("compiled-trees", version.Manifest.Metadata["kiln.engine"]);
        Assert.Equal("Kiln.Inference.Trees.CompiledTreeRuntime", compiledRuntime.GetType().FullName);
        Assert.Equal("Kiln.Inference.Onnx.OnnxModelRuntime", referenceRuntime.GetType().FullName);
        Assert.True(reference.Deployment.ReferenceRuntime);
        Assert.False(back.Deployment.ReferenceRuntime);
        Assert.Equal([false, true, false], history.Select(r => r.Settings.ReferenceRuntime));
        Assert.True(restored.Deployment.ReferenceRuntime);
        Assert.Equal("Kiln.Inference.Onnx.OnnxModelRuntime", ServedRuntime().GetType().FullName);
        Assert.Equal(byOnnxRuntime.Length, compiled.Length);
        for (var i = 0; i < compiled.Length; i++)
        {
            Assert.True(Math.Abs(compiled[i] - byOnnxRuntime[i]) <= 1e-6 * Math.Max(1, Math.Abs(compiled[i])), $"probability {i}: {compiled[i]} compiled, {byOnnxRuntime[i]} by ONNX Runtime");
        }
    }

    [Fact]
    public async Task Deploy_ReferenceRuntimeThatIsNotABoolean_IsA400NamingTheField()
    {
        await Support.Requests.DeployGbtAsync(_factory, "bank");
        using var http = _factory.CreateHttpClient();

        using var response = await http.PutAsync("/api/deployments/bank", Support.Requests.Json("""{"model":"gbt@champion","referenceRuntime":"yes"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("referenceRuntime", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private IModelRuntime ServedRuntime()
    {
        Assert.True(_factory.Services.GetRequiredService<DeploymentTable>().TryGet("bank", out var served));
        return served.Routable[0].Runtime;
    }

    private static async Task<double[]> ProbabilitiesAsync(HttpClient http)
    {
        using var response = await http.PostAsync("/v2/models/bank/infer", Support.Requests.Json(Rows));
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("outputs").EnumerateArray()
            .Single(o => o.GetProperty("name").GetString() == "output_probability")
            .GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray();
    }

    public void Dispose() => _factory.Dispose();
}
