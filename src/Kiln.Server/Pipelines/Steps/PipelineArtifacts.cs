using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kiln.Core.Packaging;
using Kiln.Pipelines.Execution;
using Kiln.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Pipelines.Steps;

/// <summary>
/// Step outputs as content-addressed artifacts in Kiln's artifact store (local folder or S3), streamed both ways.
/// A dataset is one file: <c>{"kind":"dataset","digest":…,"name":…,"size":…,"rows":…}</c>. A model package is a folder:
/// each file is stored by content, and an index listing them is stored too; the package's digest is the index's.
/// An artifact input may also be a path on the server: relative to the data folder, or absolute under the data folder,
/// the working directory or one of <see cref="PipelineOptions.FileRoots"/>.
/// </summary>
internal sealed class PipelineArtifacts(IArtifactStore store, IOptions<KilnOptions> options)
{
    public async Task<JsonObject> PutDatasetAsync(string path, long rows, CancellationToken cancellationToken)
    {
        await using var content = File.OpenRead(path);
        var (sha, size) = await store.PutAsync(content, cancellationToken);
        return new JsonObject { ["kind"] = "dataset", ["digest"] = sha, ["name"] = Path.GetFileName(path), ["size"] = size, ["rows"] = rows };
    }

    public async Task<JsonObject> PutPackageAsync(string directory, CancellationToken cancellationToken)
    {
        var files = new JsonArray();
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            await using var content = File.OpenRead(file);
            var (sha, size) = await store.PutAsync(content, cancellationToken);
            files.Add(new JsonObject { ["path"] = Path.GetRelativePath(directory, file).Replace('\\', '/'), ["sha256"] = sha, ["size"] = size });
        }

        var index = new JsonObject { ["files"] = files };
        using var indexContent = new MemoryStream(Encoding.UTF8.GetBytes(index.ToJsonString()));
        var (digest, _) = await store.PutAsync(indexContent, cancellationToken);
        return new JsonObject { ["kind"] = "package", ["digest"] = digest, ["files"] = files.Count };
    }

    /// <summary>A dataset input as a local file: fetched into <paramref name="scratch"/> when stored, the allowed path itself when a path.</summary>
    public async Task<string> FetchDatasetAsync(JsonNode? input, string scratch, string field, CancellationToken cancellationToken)
    {
        if (input is JsonValue value && value.TryGetValue<string>(out var path))
        {
            return AllowedPath(path, field);
        }

        var artifact = input as JsonObject ?? throw new StepFailedException($"input {field}: names no dataset");
        if (artifact["kind"]?.GetValue<string>() == "package")
        {
            throw new StepFailedException($"input {field}: is a model package, not a dataset");
        }

        var digest = Digest(artifact, field);
        var name = Path.GetFileName(artifact["name"]?.GetValue<string>() ?? "dataset.csv");
        var local = Path.Combine(scratch, $"{digest[..12]}-{(name.Length == 0 ? "dataset.csv" : name)}");
        await using (var source = await OpenAsync(digest, field, cancellationToken))
        await using (var target = File.Create(local))
        {
            await source.CopyToAsync(target, cancellationToken);
        }

        return local;
    }

    /// <summary>A package input as a local folder, fetched file by file from its index.</summary>
    public async Task<string> FetchPackageAsync(JsonNode? input, string scratch, string field, CancellationToken cancellationToken)
    {
        if (input is JsonValue value && value.TryGetValue<string>(out var path))
        {
            var folder = AllowedPath(path, field);
            return Directory.Exists(folder) ? folder : throw new StepFailedException($"input {field}: '{path}' is not a folder holding a model package");
        }

        var artifact = input as JsonObject ?? throw new StepFailedException($"input {field}: names no model package");
        if (artifact["kind"]?.GetValue<string>() != "package")
        {
            throw new StepFailedException($"input {field}: is not a model package (a train step's package output)");
        }

        JsonObject index;
        await using (var stream = await OpenAsync(Digest(artifact, field), field, cancellationToken))
        {
            index = (await JsonNode.ParseAsync(stream, cancellationToken: cancellationToken)) as JsonObject
                ?? throw new StepFailedException($"input {field}: the package index is not a JSON object");
        }

        var directory = Path.Combine(scratch, "package-" + Digest(artifact, field)[..12]);
        Directory.CreateDirectory(directory);
        foreach (var file in index["files"]?.AsArray() ?? [])
        {
            var relative = Kiln.Server.Uploads.PackagePath.Validate(file!["path"]!.GetValue<string>());
            var target = Path.Combine(directory, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await using var source = await OpenAsync(file["sha256"]!.GetValue<string>(), field, cancellationToken);
            await using var output = File.Create(target);
            await source.CopyToAsync(output, cancellationToken);
        }

        return directory;
    }

    /// <summary>The SHA-256 of a file, as the artifact store names it.</summary>
    public static async Task<string> DigestOfFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var content = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(content, cancellationToken));
    }

    /// <summary>A file's digest, or a folder's: the digests of its tables (.csv, .parquet, .pq), by name.</summary>
    public static async Task<string> DigestOfPathAsync(string path, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(path))
        {
            return await DigestOfFileAsync(path, cancellationToken);
        }

        var parts = new StringBuilder();
        foreach (var file in Directory.EnumerateFiles(path).Where(IsTable).Order(StringComparer.Ordinal))
        {
            parts.Append(Path.GetFileName(file)).Append(':').Append(await DigestOfFileAsync(file, cancellationToken)).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(parts.ToString())));
    }

    /// <summary>Whether a file is a table steps read: .csv, .parquet or .pq.</summary>
    public static bool IsTable(string file) => Path.GetExtension(file).ToUpperInvariant() is ".CSV" or ".PARQUET" or ".PQ";

    /// <summary>A path named in a pipeline file, if it lies under a folder steps may read; relative paths are from the data folder.</summary>
    public string AllowedPath(string path, string field)
    {
        var full = Path.GetFullPath(path, Path.GetFullPath(options.Value.Storage.DataDir));
        var roots = options.Value.Pipelines.FileRoots.Append(options.Value.Storage.DataDir).Append(Directory.GetCurrentDirectory())
            .Select(r => Path.TrimEndingDirectorySeparator(Path.GetFullPath(r)) + Path.DirectorySeparatorChar);
        if (!roots.Any(root => full.StartsWith(root, StringComparison.Ordinal)))
        {
            throw new StepFailedException($"input {field}: '{path}' is outside the folders steps may read (the data folder, the working directory and Kiln:Pipelines:FileRoots)");
        }

        return File.Exists(full) || Directory.Exists(full) ? full : throw new StepFailedException($"input {field}: '{path}' does not exist");
    }

    private async Task<Stream> OpenAsync(string digest, string field, CancellationToken cancellationToken)
    {
        try
        {
            return await store.OpenAsync(digest, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or Kiln.Core.KilnException)
        {
            throw new StepFailedException($"input {field}: artifact {digest[..12]} is not in the artifact store");
        }
    }

    private static string Digest(JsonObject artifact, string field) =>
        artifact["digest"]?.GetValue<string>() is { Length: 64 } digest && digest.All(char.IsAsciiHexDigit)
            ? digest
            : throw new StepFailedException($"input {field}: the artifact has no valid digest");
}
