namespace Kiln.Core.Registry;

/// <summary>One move of a model's alias.</summary>
/// <param name="Alias">The alias.</param>
/// <param name="FromVersion">Where it pointed before; null when it was created.</param>
/// <param name="ToVersion">Where it points after; null when it was deleted.</param>
/// <param name="At">When.</param>
public sealed record AliasMove(string Alias, int? FromVersion, int? ToVersion, DateTimeOffset At);
