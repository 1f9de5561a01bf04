using Kiln.Storage.Artifacts;

namespace Kiln.Storage.Tests.Artifacts;

public sealed class S3ConnectionTests
{
    private static readonly S3Connection Unset = new(null, null, false, null, null);

    [Fact]
    public void WithEnvironmentDefaults_NothingSet_TakesTheS3EndpointBeforeTheGeneralOne()
    {
        var resolved = Unset.WithEnvironmentDefaults(Environment(("AWS_ENDPOINT_URL", "http://general"), ("AWS_ENDPOINT_URL_S3", "http://s3"), ("AWS_REGION", "eu-west-1")));

        Assert.Equal(("http://s3", "eu-west-1"), (resolved.ServiceUrl, resolved.Region));
    }

    [Fact]
    public void WithEnvironmentDefaults_FallsBackToTheGeneralEndpointAndDefaultRegion()
    {
        var resolved = Unset.WithEnvironmentDefaults(Environment(("AWS_ENDPOINT_URL", "http://general"), ("AWS_DEFAULT_REGION", "us-west-2")));

        Assert.Equal(("http://general", "us-west-2"), (resolved.ServiceUrl, resolved.Region));
    }

    [Fact]
    public void WithEnvironmentDefaults_KilnSettingsWin()
    {
        var configured = new S3Connection("http://minio:9000", "local", true, "id", "secret");

        var resolved = configured.WithEnvironmentDefaults(Environment(("AWS_ENDPOINT_URL_S3", "http://s3"), ("AWS_REGION", "eu-west-1")));

        Assert.Equal(configured, resolved);
    }

    [Fact]
    public void ToString_NamesTheEndpointButNoCredential()
    {
        var text = new S3Connection("http://minio:9000", null, true, "AKIAEXAMPLEKEYID", "wJalrXUtnFEMI-secret").ToString();

        Assert.Contains("http://minio:9000", text, StringComparison.Ordinal);
        Assert.DoesNotContain("AKIAEXAMPLEKEYID", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateClient_WithAnEndpoint_UsesItPathStyle()
    {
        using var client = new S3Connection("http://127.0.0.1:54569", "us-east-1", true, "S3RVER", "S3RVER").CreateClient();

        var config = (Amazon.S3.AmazonS3Config)client.Config;
        Assert.Equal("http://127.0.0.1:54569", config.ServiceURL.TrimEnd('/'));
        Assert.True(config.ForcePathStyle);
    }

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;
}
