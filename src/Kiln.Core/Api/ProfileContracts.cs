using Kiln.Core.Registry;

namespace Kiln.Core.Api;

/// <summary>Answer of <c>PUT /api/models/{name}/versions/{version}/profile</c>.</summary>
/// <param name="Version">The version, its manifest carrying the new profile.</param>
/// <param name="UnknownColumns">Profile columns that are not among the model's input features (kept, but never compared with traffic).</param>
public sealed record SetProfileResult(ModelVersion Version, IReadOnlyList<string> UnknownColumns);
