using System.Net;
using Kiln.Client;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests;

public sealed class DeploymentApiTests : IDisposable
{
    private readonly KilnAppFactory _factory = new();

    [Fact]
    public async Task Deploy_ByAlias_PinsVersionAndListsEndpoints()
    {
        using var client = _factory.CreateKilnClient();
        await client.RegisterAsync("gbt", TestModels.PathOf("gbt_sklearn.onnx"), new RegisterOptions { Alias = "champion" });

        var view = await client.DeployAsync("bank", "gbt@champion");

        Assert.Equal("ready", view.Status);
        Assert.Equal(1, view.Deployment.Primary.ModelVersion);
        Assert.Equal("gbt@champion", view.Deployment.Primary.Requested);
        Assert.Equal("/v2/models/bank/infer", view.Endpoints.V2);
        Assert.Equal("/v1/models/bank:predict", view.Endpoints.V1);
        Assert.Equal("/deployments/bank/invocations", view.Endpoints.Mlflow);
        Assert.Single(await client.ListDeploymentsAsync());
        Assert.Equal(1, (await client.GetDeploymentAsync("bank")).Deployment.Revision);
    }

    [Fact]
    public async Task Deploy_NewVersion_BumpsRevisionAndServesIt()
    {
        using var client = _factory.CreateKilnClient();
        using var http = _factory.CreateHttpClient();
        await client.RegisterAsync("m", TestModels.PathOf("gbt_sklearn.onnx"), new RegisterOptions { FeatureNames = TestModels.GbtFeatureNames });
        await client.RegisterAsync("m", TestModels.PathOf("gbt_sklearn.onnx"), new RegisterOptions { FeatureNames = TestModels.GbtFeatureNames });
        await client.DeployAsync("d", "m/1");

        var second = await client.DeployAsync("d", "m/2");

        Assert.Equal(2, second.Deployment.Revision);
        using var response = await http.PostAsync("/v1/models/d:predict", Requests.Json("""{"instances":[[1,2,3,4,5,6,7]]}"""));
        Assert.Equal("2", response.Headers.GetValues("Kiln-Model-Version").Single());
    }

    [Fact]
    public async Task Deploy_Delete_StopsServing()
    {
        using var client = _factory.CreateKilnClient();
        using var http = _factory.CreateHttpClient();
        await client.RegisterAsync("m", TestModels.PathOf("regressor.onnx"));
        await client.DeployAsync("d", "m");

        await client.DeleteDeploymentAsync("d");

        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync("/v2/models/d/infer", Requests.Json("{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<KilnApiException>(() => client.DeleteDeploymentAsync("d"))).Status);
    }

    [Theory]
    [InlineData("nope@champion", HttpStatusCode.NotFound)]
    [InlineData("nope/1", HttpStatusCode.NotFound)]
    [InlineData("m/x", HttpStatusCode.BadRequest)]
    [InlineData("", HttpStatusCode.BadRequest)]
    public async Task Deploy_BadModelReference_IsClear4xx(string reference, HttpStatusCode status)
    {
        using var client = _factory.CreateKilnClient();
        await client.RegisterAsync("m", TestModels.PathOf("regressor.onnx"));

        var error = await Assert.ThrowsAsync<KilnApiException>(() => client.DeployAsync("d", reference));

        Assert.Equal(status, error.Status);
    }

    [Fact]
    public async Task Deploy_InvalidDeploymentName_Is400()
    {
        using var client = _factory.CreateKilnClient();
        await client.RegisterAsync("m", TestModels.PathOf("regressor.onnx"));

        var error = await Assert.ThrowsAsync<KilnApiException>(() => client.DeployAsync("bad name!", "m"));

        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
    }

    public void Dispose() => _factory.Dispose();
}
