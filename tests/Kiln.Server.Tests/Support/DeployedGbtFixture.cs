namespace Kiln.Server.Tests.Support;

/// <summary>A server (auth on) with gbt_sklearn.onnx registered as <c>gbt</c> and deployed as <c>gbt</c>.</summary>
public sealed class DeployedGbtFixture : IAsyncLifetime
{
    public KilnAppFactory Factory { get; } = new();

    public async Task InitializeAsync() => await Requests.DeployGbtAsync(Factory);

    public Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }
}
