using Kiln.Server.Configuration;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests.Storage;

public sealed class ArtifactSettingsTests
{
    [Theory]
    [InlineData("s3://", "bucket")]
    [InlineData("s3://kiln/a//b", "prefix")]
    [InlineData("http://minio:9000/kiln", "'http://'")]
    public void MalformedArtifactsSetting_FailsStartNamingTheSetting(string value, string reason)
    {
        using var factory = new KilnAppFactory(settings: new Dictionary<string, string?> { ["Kiln:Storage:Artifacts"] = value });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        var message = error.ToString();
        Assert.Contains("Kiln:Storage:Artifacts (KILN_ARTIFACTS, --artifacts)", message, StringComparison.Ordinal);
        Assert.Contains(reason, message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadS3Settings_FailStartListingEach()
    {
        using var factory = new KilnAppFactory(settings: new Dictionary<string, string?>
        {
            ["Kiln:Storage:Artifacts"] = "s3://kiln",
            ["Kiln:Storage:S3:ServiceUrl"] = "minio:9000",
            ["Kiln:Storage:S3:AccessKeyId"] = "id-without-secret",
        });

        var message = Assert.ThrowsAny<Exception>(() => factory.CreateClient()).ToString();

        Assert.Contains("Kiln:Storage:S3:ServiceUrl", message, StringComparison.Ordinal);
        Assert.Contains("AccessKeyId and SecretAccessKey", message, StringComparison.Ordinal);
        Assert.DoesNotContain("id-without-secret", message, StringComparison.Ordinal);
    }

    [Fact]
    public void KilnArtifacts_IsTheShortNameOfTheSetting()
    {
        var settings = KilnEnvironmentVariables.Read(new Dictionary<string, string> { ["KILN_ARTIFACTS"] = "s3://kiln/prod" });

        Assert.Equal("s3://kiln/prod", settings["Kiln:Storage:Artifacts"]);
    }

    [Fact]
    public async Task AFolderPath_StoresArtifactsThereInsteadOfTheDataDir()
    {
        var folder = Path.Combine(Path.GetTempPath(), "kiln-tests", Guid.NewGuid().ToString("N"));
        try
        {
            using var factory = new KilnAppFactory(settings: new Dictionary<string, string?> { ["Kiln:Storage:Artifacts"] = folder });
            using var client = factory.CreateKilnClient();

            await client.RegisterAsync("m", TestModels.PathOf("regressor.onnx"));

            Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(folder, "sha256"), "*", SearchOption.AllDirectories));
            Assert.False(Directory.Exists(Path.Combine(factory.DataDir, "artifacts")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
