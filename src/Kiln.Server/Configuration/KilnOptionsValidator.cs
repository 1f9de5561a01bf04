using Microsoft.Extensions.Options;

namespace Kiln.Server.Configuration;

/// <summary>Checks every setting at start and reports all problems at once.</summary>
internal sealed class KilnOptionsValidator : IValidateOptions<KilnOptions>
{
    public ValidateOptionsResult Validate(string? name, KilnOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Storage.DataDir))
        {
            errors.Add("Kiln:Storage:DataDir (KILN_DATA_DIR, --data-dir) must name a folder.");
        }
        else if (options.Storage.DataDir.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            errors.Add("Kiln:Storage:DataDir contains characters that cannot be in a path.");
        }

        if (options.Serving.MaxRequestBodyBytes is < 1024 or > 1L << 31)
        {
            errors.Add("Kiln:Serving:MaxRequestBodyBytes must be between 1 KiB and 2 GiB.");
        }

        if (options.Serving.MaxUploadBytes < 1024)
        {
            errors.Add("Kiln:Serving:MaxUploadBytes must be at least 1 KiB.");
        }

        if (options.Serving.MaxUploadFiles < 1)
        {
            errors.Add("Kiln:Serving:MaxUploadFiles must be at least 1.");
        }

        if (options.Auth.AdminKey is { } key && key.Length < 16)
        {
            errors.Add("Kiln:Auth:AdminKey (KILN_ADMIN_KEY) must be at least 16 characters.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
