using Kiln.Storage.Artifacts;

namespace Kiln.Storage.Tests.Artifacts;

public sealed class ArtifactLocationTests
{
    private static readonly string DefaultFolder = Path.GetFullPath(Path.Combine("data", "artifacts"));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Parse_AbsentOrEmpty_IsTheDefaultFolder(string? value) =>
        Assert.Equal(new ArtifactLocation.Folder(DefaultFolder), ArtifactLocation.Parse(value, Path.Combine("data", "artifacts")));

    [Fact]
    public void Parse_APath_IsThatFolderInFull()
    {
        Assert.Equal(new ArtifactLocation.Folder(Path.GetFullPath("blobs")), ArtifactLocation.Parse("blobs", DefaultFolder));
        Assert.Equal(new ArtifactLocation.Folder(Path.GetFullPath("/srv/kiln/artifacts")), ArtifactLocation.Parse("/srv/kiln/artifacts", DefaultFolder));
    }

    [Theory]
    [InlineData("s3://kiln-artifacts", "kiln-artifacts", "")]
    [InlineData("s3://kiln-artifacts/", "kiln-artifacts", "")]
    [InlineData("s3://kiln.artifacts-2/team/prod", "kiln.artifacts-2", "team/prod")]
    [InlineData("S3://abc/prefix/", "abc", "prefix")]
    [InlineData("  s3://abc/p  ", "abc", "p")]
    public void Parse_S3Url_IsBucketAndPrefix(string value, string bucket, string prefix) =>
        Assert.Equal(new ArtifactLocation.S3(bucket, prefix), ArtifactLocation.Parse(value, DefaultFolder));

    [Theory]
    [InlineData("s3://")]
    [InlineData("s3:///prefix")]
    [InlineData("s3://ab")]
    [InlineData("s3://Kiln-Artifacts")]
    [InlineData("s3://kiln_artifacts")]
    [InlineData("s3://-kiln")]
    [InlineData("s3://kiln..artifacts")]
    [InlineData("s3://key:secret@kiln")]
    public void TryParse_BadBucket_SaysSoWithoutRepeatingTheValue(string value)
    {
        Assert.False(ArtifactLocation.TryParse(value, DefaultFolder, out _, out var error));
        Assert.Contains("bucket", error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("s3://kiln/a//b")]
    [InlineData("s3://kiln/a/../b")]
    [InlineData("s3://kiln/./b")]
    [InlineData("s3://kiln/a?versionId=1")]
    [InlineData("s3://kiln/a#b")]
    [InlineData("s3://kiln/a\\b")]
    public void TryParse_BadPrefix_SaysSo(string value)
    {
        Assert.False(ArtifactLocation.TryParse(value, DefaultFolder, out _, out var error));
        Assert.Contains("prefix", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://minio:9000/kiln", "http")]
    [InlineData("file:///srv/kiln", "file")]
    [InlineData("gs://bucket/x", "gs")]
    public void TryParse_OtherUrl_NamesItsScheme(string value, string scheme)
    {
        Assert.False(ArtifactLocation.TryParse(value, DefaultFolder, out _, out var error));
        Assert.Contains($"'{scheme}://'", error, StringComparison.Ordinal);
        Assert.Contains("s3://bucket/optional/prefix", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Malformed_ThrowsFormatException() =>
        Assert.Throws<FormatException>(() => ArtifactLocation.Parse("s3://", DefaultFolder));

    [Fact]
    public void ToString_IsTheUrlOrThePath()
    {
        Assert.Equal("s3://kiln/a/b", new ArtifactLocation.S3("kiln", "a/b").ToString());
        Assert.Equal("s3://kiln", new ArtifactLocation.S3("kiln", "").ToString());
        Assert.Equal("/srv/x", new ArtifactLocation.Folder("/srv/x").ToString());
    }
}
