using Kiln.Core;

namespace Kiln.Server.Mlflow;

/// <summary>
/// Every path an MLflow request names (artifact paths, model version sources, artifact locations)
/// is checked against MLflow's path-traversal CVEs: '..' segments, percent-encoded and
/// double-encoded forms, backslashes, absolute paths, drive letters and foreign schemes
/// (<c>file://</c>, <c>http://</c>…) are all refused before anything is looked up.
/// </summary>
internal static class MlflowPaths
{
    /// <summary>A relative artifact path: '/'-separated names, no traversal (the one check, <see cref="Uploads.PackagePath"/>); empty when <paramref name="optional"/> and absent.</summary>
    public static string Relative(string? path, string field, bool optional = false)
    {
        if (string.IsNullOrEmpty(path))
        {
            return optional ? "" : throw KilnException.Invalid(field, "is required.");
        }

        // A trailing '/' names a directory; a path that is nothing but '/' is absolute.
        var trimmed = path.Length > 1 ? path.TrimEnd('/') : path;
        return Uploads.PackagePath.Validate(trimmed.Length == 0 ? path : trimmed, field);
    }

    /// <summary>A proxied artifact path <c>&lt;experiment_id&gt;/&lt;run_id&gt;/artifacts[/&lt;path&gt;]</c>.</summary>
    public static (string ExperimentId, string RunId, string Path) Proxied(string? path, string field)
    {
        var relative = Relative(path, field);
        var parts = relative.Split('/', 4);
        if (parts.Length < 3 || parts[2] != "artifacts")
        {
            throw KilnException.Invalid(field, "must be '<experiment_id>/<run_id>/artifacts/<path>', as MLflow's proxied artifact repository lays runs out.");
        }

        return (parts[0], parts[1], parts.Length == 4 ? parts[3] : "");
    }

    /// <summary>A model version's source: <c>runs:/&lt;run_id&gt;/&lt;path&gt;</c> or <c>mlflow-artifacts:/&lt;exp&gt;/&lt;run&gt;/artifacts/&lt;path&gt;</c>.</summary>
    public static (string RunId, string Path) Source(string? source)
    {
        const string Runs = "runs:/";
        const string Proxied = "mlflow-artifacts:/";
        var text = MlflowHttp.Required(source, "source");
        if (text.StartsWith(Runs, StringComparison.Ordinal))
        {
            var rest = Relative(text[Runs.Length..], "source");
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            return slash < 0 ? (rest, "") : (rest[..slash], rest[(slash + 1)..]);
        }

        if (text.StartsWith(Proxied, StringComparison.Ordinal))
        {
            var (_, runId, path) = MlflowPaths.Proxied(text[Proxied.Length..], "source");
            return (runId, path);
        }

        throw KilnException.Invalid("source", "must be 'runs:/<run_id>/<path>' or 'mlflow-artifacts:/<experiment_id>/<run_id>/artifacts/<path>'; other schemes and local paths are refused.");
    }

    /// <summary>An experiment's requested artifact location: Kiln keeps artifacts itself, so only its own proxied scheme is accepted.</summary>
    public static void ArtifactLocation(string? location)
    {
        const string Proxied = "mlflow-artifacts:/";
        if (string.IsNullOrEmpty(location))
        {
            return;
        }

        if (!location.StartsWith(Proxied, StringComparison.Ordinal))
        {
            throw KilnException.Invalid("artifact_location", "Kiln stores artifacts itself: leave it empty or use 'mlflow-artifacts:/<path>'; other schemes and local paths are refused.");
        }

        Relative(location[Proxied.Length..], "artifact_location", optional: true);
    }
}
