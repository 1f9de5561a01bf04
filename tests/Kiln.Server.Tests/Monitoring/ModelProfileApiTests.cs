using System.Net;
using Kiln.Client;
using Kiln.Core.Packaging;
using Kiln.Core.Security;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests.Monitoring;

public sealed class ModelProfileApiTests : IDisposable
{
    private readonly KilnAppFactory _factory = new();

    private static double[] Percentiles(double low, double step) => [.. Enumerable.Range(0, 101).Select(i => low + (i * step))];

    private static ColumnProfile NumericColumn(string name, double low = 18, double step = 0.7) => new(name, ColumnProfile.NumericKind, 2,
        new NumericProfile(low, low + (100 * step), low + (50 * step), 10, Percentiles(low, step), [low, low + (50 * step), low + (100 * step)], [49, 49]), null);

    private static ColumnProfile CategoricalColumn(string name) => new(name, ColumnProfile.CategoricalKind, 0,
        null, new CategoricalProfile(new Dictionary<string, long> { ["admin."] = 60, ["retired"] = 40 }, 0));

    private static DataProfile Profile(params ColumnProfile[] columns) => new(100, columns);

    private async Task<KilnClient> RegisterAsync()
    {
        var client = _factory.CreateKilnClient();
        await client.RegisterAsync("gbt", TestModels.PathOf("gbt_sklearn.onnx"), new RegisterOptions { FeatureNames = TestModels.GbtFeatureNames });
        return client;
    }

    [Fact]
    public async Task SetProfile_OnImportedModel_IsStoredInTheManifestAndReportsUnknownColumns()
    {
        using var client = await RegisterAsync();
        var before = await client.GetVersionAsync("gbt/1");
        Assert.Null(before.Manifest.Profile);

        var result = await client.SetProfileAsync("gbt", 1, Profile(NumericColumn("age"), NumericColumn("balance", -400, 50), CategoricalColumn("job")));

        Assert.Equal(["job"], result.UnknownColumns);
        Assert.Equal(3, result.Version.Manifest.Profile!.Columns.Count);
        var stored = (await client.GetVersionAsync("gbt/1")).Manifest;
        var profile = Assert.IsType<DataProfile>(stored.Profile);
        Assert.Equal(100, profile.Rows);
        Assert.Equal(["age", "balance", "job"], profile.Columns.Select(c => c.Name));
        Assert.Equal(Percentiles(-400, 50), profile.Columns[1].Numeric!.Quantiles);
        Assert.Equal(60, profile.Columns[2].Categorical!.Frequencies["admin."]);
        Assert.Equal(before.Manifest.Files, stored.Files);
        Assert.Equal(before.Manifest.Signature.Inputs[0].Columns, stored.Signature.Inputs[0].Columns);
    }

    [Fact]
    public async Task SetProfile_Twice_ReplacesTheProfile()
    {
        using var client = await RegisterAsync();
        await client.SetProfileAsync("gbt", 1, Profile(NumericColumn("age"), NumericColumn("day")));

        var result = await client.SetProfileAsync("gbt", 1, Profile(NumericColumn("duration")));

        Assert.Empty(result.UnknownColumns);
        Assert.Equal(["duration"], (await client.GetVersionAsync("gbt/1")).Manifest.Profile!.Columns.Select(c => c.Name));
    }

    public static TheoryData<string, DataProfile> InvalidProfiles() => new()
    {
        { "columns", new DataProfile(100, []) },
        { "columns[0].kind", Profile(NumericColumn("age") with { Kind = "text" }) },
        { "columns[0].numeric.quantiles", Profile(NumericColumn("age") with { Numeric = NumericColumn("age").Numeric! with { Quantiles = Percentiles(0, 1)[..100] } }) },
        { "columns[0].numeric.quantiles", Profile(NumericColumn("age") with { Numeric = NumericColumn("age").Numeric! with { Quantiles = Percentiles(100, -1) } }) },
        { "columns[1].name", Profile(NumericColumn("age"), NumericColumn("age")) },
        { "columns[0].categorical", Profile(CategoricalColumn("job") with { Categorical = null }) },
        { "columns", Profile(NumericColumn("height"), CategoricalColumn("job")) },
    };

    [Theory]
    [MemberData(nameof(InvalidProfiles))]
    public async Task SetProfile_Invalid_Is400NamingTheField(string field, DataProfile profile)
    {
        using var client = await RegisterAsync();

        var error = await Assert.ThrowsAsync<KilnApiException>(() => client.SetProfileAsync("gbt", 1, profile));

        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
        Assert.Equal(field, error.Field);
        Assert.Null((await client.GetVersionAsync("gbt/1")).Manifest.Profile);
    }

    [Fact]
    public async Task SetProfile_UnknownVersion_Is404()
    {
        using var client = await RegisterAsync();

        var error = await Assert.ThrowsAsync<KilnApiException>(() => client.SetProfileAsync("gbt", 7, Profile(NumericColumn("age"))));

        Assert.Equal(HttpStatusCode.NotFound, error.Status);
    }

    [Fact]
    public async Task SetProfile_AsViewer_IsForbidden()
    {
        using var admin = await RegisterAsync();
        var viewer = await admin.CreateKeyAsync("reader", KilnRole.Viewer);
        using var client = _factory.CreateKilnClient(viewer.Key);

        var error = await Assert.ThrowsAsync<KilnApiException>(() => client.SetProfileAsync("gbt", 1, Profile(NumericColumn("age"))));

        Assert.Equal(HttpStatusCode.Forbidden, error.Status);
    }

    public void Dispose() => _factory.Dispose();
}
