using System.Text;
using Kiln.Core;
using Kiln.Core.Errors;
using Kiln.Server.Configuration;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Kiln.Server.Uploads;

/// <summary>
/// Streams a <c>multipart/form-data</c> package upload to a staging folder: each file part's
/// file name is its path inside the package; other parts are form fields. Sizes and counts are
/// bounded while reading, so an oversize upload is refused before it fills the disk.
/// </summary>
internal sealed class PackageUploadReader(IOptions<KilnOptions> options)
{
    private const int MaxFieldBytes = 64 * 1024;

    public async Task<UploadedPackage> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var limits = options.Value.Serving;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var media) || !media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw new KilnException(KilnErrorKind.UnsupportedMediaType, "Upload a model package as multipart/form-data (e.g. curl -F file=@model.onnx).");
        }

        var boundary = HeaderUtilities.RemoveQuotes(media.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            throw KilnException.Invalid("Content-Type", "multipart/form-data needs a boundary.");
        }

        var directory = Path.Combine(StagingRoot(), Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var package = new UploadedPackage(directory, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase));
        try
        {
            await ReadPartsAsync(new MultipartReader(boundary, request.Body), package, limits, cancellationToken);
            return package;
        }
        catch
        {
            package.Dispose();
            throw;
        }
    }

    public string StagingRoot() => Path.Combine(Path.GetFullPath(options.Value.Storage.DataDir), "staging", "uploads");

    /// <summary>The most text fields an upload may carry (alias, description, source, runId, featureNames… need a handful).</summary>
    public const int MaxFields = 32;

    private static async Task ReadPartsAsync(MultipartReader reader, UploadedPackage package, ServingOptions limits, CancellationToken cancellationToken)
    {
        var fields = (Dictionary<string, string>)package.Fields;
        long total = 0;
        var files = 0;
        MultipartSection? section;
        while ((section = await reader.ReadNextSectionAsync(cancellationToken)) is not null)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
            {
                throw KilnException.Invalid("body", "a multipart section has no valid Content-Disposition.");
            }

            if (!disposition.FileName.HasValue && !disposition.FileNameStar.HasValue)
            {
                // Text fields count toward the upload limit like files, and there are few of them: a flood of fields
                // must not grow memory where a flood of file bytes cannot.
                if (fields.Count >= MaxFields)
                {
                    throw KilnException.Invalid("body", $"a package upload has at most {MaxFields} form fields besides its files.");
                }

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                var value = await ReadFieldAsync(section.Body, name, cancellationToken);
                total += Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(value);
                if (total > limits.MaxUploadBytes)
                {
                    throw new KilnException(KilnErrorKind.PayloadTooLarge, $"The package is larger than the {limits.MaxUploadBytes} bytes this server accepts (Kiln:Serving:MaxUploadBytes).");
                }

                fields[name] = value;
                continue;
            }

            if (++files > limits.MaxUploadFiles)
            {
                throw KilnException.Invalid("file", $"a package may hold at most {limits.MaxUploadFiles} files.");
            }

            var relative = PackagePath.Validate(HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value);
            var target = Path.GetFullPath(Path.Combine(package.Directory, relative));
            if (!target.StartsWith(package.Directory + Path.DirectorySeparatorChar, StringComparison.Ordinal) || File.Exists(target))
            {
                throw KilnException.Invalid("file", $"path '{relative}' is outside the package or given twice.");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await using var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
            var buffer = new byte[81920];
            int read;
            while ((read = await section.Body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
                if (total > limits.MaxUploadBytes)
                {
                    throw new KilnException(KilnErrorKind.PayloadTooLarge, $"The package is larger than the {limits.MaxUploadBytes} bytes this server accepts (Kiln:Serving:MaxUploadBytes).");
                }

                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }

        if (files == 0)
        {
            throw KilnException.Invalid("file", "no file was uploaded; send the model as a file part (curl -F file=@model.onnx).");
        }
    }

    private static async Task<string> ReadFieldAsync(Stream body, string name, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxFieldBytes)
            {
                throw KilnException.Invalid(name, $"is longer than {MaxFieldBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
