using System.Collections.Frozen;
using System.Security.Cryptography;

namespace Kiln.Server.Dashboard;

/// <summary>
/// The dashboard's stylesheet and script, compiled into the assembly (no wwwroot to ship, nothing from a CDN),
/// served with a content hash as ETag and a long cache lifetime; pages link them with that hash in the query.
/// </summary>
internal sealed class DashboardAssets
{
    private readonly FrozenDictionary<string, Asset> _assets;

    public DashboardAssets()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        const string prefix = "Kiln.Server.Dashboard.Assets.";
        _assets = assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal))
            .Select(name =>
            {
                using var stream = assembly.GetManifestResourceStream(name)!;
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                var bytes = copy.ToArray();
                var file = name[prefix.Length..];
                return new Asset(file, bytes, Convert.ToHexStringLower(SHA256.HashData(bytes))[..16], ContentType(file));
            })
            .ToFrozenDictionary(a => a.File, StringComparer.Ordinal);
    }

    /// <summary>The URL of <paramref name="file"/>, versioned by its content.</summary>
    public string Url(string file) => $"/dashboard/assets/{file}?v={_assets[file].Hash}";

    public IResult Serve(HttpContext context, string file)
    {
        if (!_assets.TryGetValue(file, out var asset))
        {
            return Results.NotFound();
        }

        var etag = $"\"{asset.Hash}\"";
        context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        context.Response.Headers.ETag = etag;
        return context.Request.Headers.IfNoneMatch == etag
            ? Results.StatusCode(StatusCodes.Status304NotModified)
            : Results.Bytes(asset.Bytes, asset.ContentType);
    }

    private static string ContentType(string file) => Path.GetExtension(file) switch
    {
        ".css" => "text/css; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };

    private sealed record Asset(string File, byte[] Bytes, string Hash, string ContentType);
}
