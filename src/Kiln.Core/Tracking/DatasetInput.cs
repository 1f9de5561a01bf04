namespace Kiln.Core.Tracking;

/// <summary>A dataset a run read, as MLflow's dataset inputs describe it.</summary>
/// <param name="Name">A name, e.g. the file name.</param>
/// <param name="Digest">A short content hash, to tell versions apart.</param>
/// <param name="SourceType">Where it came from: <c>local</c>, <c>s3</c>, <c>http</c>…</param>
/// <param name="Source">The path or URI.</param>
/// <param name="Schema">The schema as JSON, when known.</param>
/// <param name="Profile">A profile (row count, per-column statistics) as JSON, when known.</param>
/// <param name="Context">What the run used it for: <c>training</c>, <c>validation</c>…</param>
public sealed record DatasetInput(string Name, string Digest, string SourceType, string Source, string? Schema = null, string? Profile = null, string? Context = null);
