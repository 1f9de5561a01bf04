using Kiln.Storage.Artifacts;

namespace Kiln.Server.Configuration;

/// <summary>The artifact settings' part of <see cref="KilnOptionsValidator"/>.</summary>
internal static class ArtifactStorageValidator
{
    public static void Validate(StorageOptions storage, List<string> errors)
    {
        if (!string.IsNullOrWhiteSpace(storage.Artifacts) && !ArtifactLocation.TryParse(storage.Artifacts, ".", out _, out var error))
        {
            errors.Add($"Kiln:Storage:Artifacts (KILN_ARTIFACTS, --artifacts) {error}");
        }

        var s3 = storage.S3;
        if (!string.IsNullOrWhiteSpace(s3.ServiceUrl)
            && !(Uri.TryCreate(s3.ServiceUrl.Trim(), UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
        {
            errors.Add("Kiln:Storage:S3:ServiceUrl must be an absolute http:// or https:// URL.");
        }

        if (string.IsNullOrWhiteSpace(s3.AccessKeyId) != string.IsNullOrWhiteSpace(s3.SecretAccessKey))
        {
            errors.Add("Kiln:Storage:S3:AccessKeyId and SecretAccessKey are set together or not at all.");
        }
    }
}
